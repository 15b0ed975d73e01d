// A real nginx as real server for integration tests and the proxy bench: one http server per
// listener answering `/` with its own address, `/empty` with 0 bytes and `/1m` with a 1 MiB
// static file. Everything (config, pid, logs, temp paths) lives in a fresh temp dir; keep-alive
// and header timeouts are long so benches and idle-connection counts are not cut short.

import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findBinary,
  nofileHardLimit,
  spawnChild,
  stopChild,
  waitForTcp,
  type Child,
} from './processes.js';

export { freePort } from './processes.js';

export interface Listener {
  readonly address: string;
  readonly port: number;
}

export interface NginxOptions {
  readonly listeners: readonly Listener[];
  /** Default 1. */
  readonly workerProcesses?: number;
  /** Default 65535 (capped by the fd limit nginx can get). */
  readonly workerConnections?: number;
  /** `listen ... proxy_protocol` and an access log with the PROXY header's source. */
  readonly proxyProtocol?: boolean;
  /** Write an access log (JSON lines); on by default only with proxyProtocol, as it costs CPU. */
  readonly accessLog?: boolean;
  /** `taskset -c` CPU list for master and workers. */
  readonly cpus?: string;
  /** Default 10 s. */
  readonly startTimeoutMs?: number;
  /** Run inside this network namespace (listeners are that namespace's addresses). */
  readonly ns?: string;
  /** What `GET /` answers on every listener (default: nginxBody of each listener). */
  readonly body?: string;
}

export interface Nginx {
  readonly pid: number;
  readonly dir: string;
  /** `http://address:port/` for each listener, in order. */
  readonly urls: readonly string[];
  /** Access log lines so far, each a JSON object (see LOG_FORMAT). */
  accessLog(): Promise<string[]>;
  stop(): Promise<void>;
}

export const NGINX_1M_BYTES = 1 << 20;

// nginx escapes for JSON itself with escape=json; status is a number.
const LOG_FORMAT =
  `'{"proxy_protocol_addr":"$proxy_protocol_addr","proxy_protocol_port":"$proxy_protocol_port",` +
  `"remote_addr":"$remote_addr","server":"$server_addr:$server_port","uri":"$request_uri",` +
  `"status":$status}'`;

/** The body `GET /` returns for a listener: tests and benches use it to tell servers apart. */
export function nginxBody(l: Listener): string {
  return `rs ${l.address}:${l.port}\n`;
}

function config(dir: string, opts: NginxOptions, nofile: number): string {
  const pp = opts.proxyProtocol === true;
  const log = opts.accessLog ?? pp;
  const servers = opts.listeners.map((l) => {
    const listen = `${l.address}:${l.port}${pp ? ' proxy_protocol' : ''} backlog=65535`;
    return `  server {
    listen ${listen};
    location = / { return 200 "${(opts.body ?? nginxBody(l)).replace('\n', '\\n')}"; }
    location = /empty { return 200 ""; }
    location = /1m { root ${join(dir, 'www')}; }
  }`;
  });
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  return `${user}worker_processes ${opts.workerProcesses ?? 1};
worker_rlimit_nofile ${nofile};
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events {
  worker_connections ${opts.workerConnections ?? Math.min(65535, nofile)};
  multi_accept on;
}
http {
  default_type text/plain;
  ${log ? `log_format tandem escape=json ${LOG_FORMAT};\n  access_log ${join(dir, 'access.log')} tandem;` : 'access_log off;'}
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 3600s;
  keepalive_requests 100000000;
  client_header_timeout 3600s;
  client_body_timeout 3600s;
  send_timeout 3600s;
  reset_timedout_connection on;
  open_file_cache max=16;
  client_body_temp_path ${join(dir, 'tmp', 'body')};
  proxy_temp_path ${join(dir, 'tmp', 'proxy')};
  fastcgi_temp_path ${join(dir, 'tmp', 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'tmp', 'uwsgi')};
  scgi_temp_path ${join(dir, 'tmp', 'scgi')};
${servers.join('\n')}
}
`;
}

export async function startNginx(opts: NginxOptions): Promise<Nginx> {
  const bin = findBinary('nginx');
  if (bin === undefined) throw new Error('nginx is not installed (apt-get install nginx-light)');
  if (opts.listeners.length === 0) throw new Error('startNginx needs at least one listener');
  const dir = mkdtempSync(join(tmpdir(), 'tandem-nginx-'));
  let child: Child | undefined;
  try {
    mkdirSync(join(dir, 'www'));
    mkdirSync(join(dir, 'tmp'));
    // Patterned rather than zero bytes, so a proxy that drops or reorders chunks shows up.
    const body = Buffer.alloc(NGINX_1M_BYTES);
    for (let i = 0; i < body.length; i++) body[i] = (i * 131 + (i >>> 12)) & 0xff;
    writeFileSync(join(dir, 'www', '1m'), body);
    const nofile = Math.min(1_048_576, nofileHardLimit());
    const conf = join(dir, 'nginx.conf');
    writeFileSync(conf, config(dir, opts, nofile));
    child = spawnChild(
      bin,
      ['-p', dir, '-e', join(dir, 'error.log'), '-c', conf, '-g', 'daemon off;'],
      {
        nofile,
        ...(opts.cpus === undefined ? {} : { cpus: opts.cpus }),
        ...(opts.ns === undefined ? {} : { ns: opts.ns }),
      },
    );
    const deadline = Date.now() + (opts.startTimeoutMs ?? 10_000);
    for (const l of opts.listeners) {
      // A wildcard listener is reachable on loopback.
      const at = l.address === '0.0.0.0' ? '127.0.0.1' : l.address;
      await waitForTcp(at, l.port, Math.max(0, deadline - Date.now()), child, opts.ns);
    }
  } catch (err) {
    const errorLog = join(dir, 'error.log');
    const detail = existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : '';
    if (child !== undefined) await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`nginx did not start: ${(err as Error).message}\nerror.log:\n${detail}`, {
      cause: err,
    });
  }
  const running = child;
  return {
    pid: running.pid,
    dir,
    urls: opts.listeners.map((l) => `http://${l.address}:${l.port}/`),
    accessLog: () => {
      const path = join(dir, 'access.log');
      if (!existsSync(path)) return Promise.resolve([]);
      return Promise.resolve(
        readFileSync(path, 'utf8')
          .split('\n')
          .filter((l) => l !== ''),
      );
    },
    // SIGTERM is nginx's fast shutdown: master and workers stop without draining keep-alives.
    stop: async () => {
      await stopChild(running);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
