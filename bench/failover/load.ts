// Data-plane load for the jitter measurement: wrk in a LAN host against VIP:port for a bounded
// time, and what it achieved (requests/s, errors), so a "under load" row shows how much load.
// wrk's summary is text; parseWrk reads the three lines we need and nothing else. The real
// server keeps connections alive: with one connection per request the client namespace runs out
// of ephemeral ports (TIME_WAIT) within a few runs and the rate collapses for reasons that have
// nothing to do with the director.

import type { Lan } from '../../test/helpers/lan.js';
import type { Child } from '../../test/helpers/processes.js';

const SERVER = `
require('node:http')
  .createServer((req, res) => res.end('ok'))
  .listen(Number(process.argv[1]), '0.0.0.0', () => console.log('ready'));
`;

/** A keep-alive HTTP server in `host` answering `ok`; stop with stopChild. */
export async function startKeepAliveServer(lan: Lan, host: string, port: number): Promise<Child> {
  const child = lan.exec(host, [process.execPath, '-e', SERVER, String(port)]);
  const deadline = Date.now() + 5000;
  while (!child.output().includes('ready')) {
    if (child.hasExited() || Date.now() > deadline) {
      child.proc.kill('SIGKILL');
      throw new Error(`keep-alive server on ${host} did not start:\n${child.output()}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return child;
}

export interface WrkOptions {
  readonly threads: number; // -t
  readonly connections: number; // -c
  readonly durationS: number; // -d
}

export interface WrkResult {
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerSec: number;
  /** connect + read + write + timeout socket errors, plus non-2xx/3xx responses. */
  readonly errors: number;
}

/** wrk's summary, or undefined when it printed none (it failed to start, say). */
export function parseWrk(text: string): WrkResult | undefined {
  const total = /(\d+) requests in ([\d.]+)(m?s|m)\b/.exec(text);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
  if (total === null || rps === null) return undefined;
  const unit = total[3] === 'ms' ? 1e-3 : total[3] === 'm' ? 60 : 1;
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  const errors =
    (socket === null ? 0 : socket.slice(1).reduce((s, x) => s + Number(x), 0)) +
    (non2xx === null ? 0 : Number(non2xx[1]));
  return {
    requests: Number(total[1]),
    seconds: Number(total[2]) * unit,
    requestsPerSec: Number(rps[1]),
    errors,
  };
}

/** Runs wrk to completion in `host`; rejects if it printed no summary. */
export async function runWrk(
  lan: Lan,
  host: string,
  url: string,
  o: WrkOptions,
): Promise<WrkResult> {
  const argv = ['wrk', `-t${o.threads}`, `-c${o.connections}`, `-d${o.durationS}s`, url];
  const r = await lan.run(host, argv, (o.durationS + 15) * 1000);
  const parsed = parseWrk(r.stdout);
  if (parsed === undefined) throw new Error(`wrk printed no summary:\n${r.stdout}${r.stderr}`);
  return parsed;
}
