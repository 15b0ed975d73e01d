// `tandem genhash` / `tandem -T`: keepalived's genhash (check_genhash.c, keepalived 2.2+, where
// genhash is `keepalived --genhash`): GET one url exactly as HTTP_GET/SSL_GET would and print the
// MD5 of the body, the value a url's `digest` wants. Output as keepalived 2.2 prints it: the hex
// digest and a newline (genhash ≤ 2.1 printed "MD5SUM = <hex>"); on failure keepalived's step
// text ("Timeout connecting"); with --verbose its hex dumps of header, body and hash.
// Deviations: exit status 1 on failure (keepalived exits 0), a 5 s default timeout (keepalived
// waits forever), -h exits 0, and --fwmark is refused (Node cannot set SO_MARK).

import { parseArgs } from 'node:util';
import { parseIp, type Family } from '../lib/inet.js';
import { fetchOnce } from './http-fetch.js';
import {
  buildRequest,
  fetchFailureText,
  hostValue,
  loadTlsContext,
  type HttpProtocol,
} from './http.js';
import { md5Hex } from './http-verdict.js';

export const GENHASH_USAGE = `Usage: tandem genhash COMMAND [OPTIONS]
       tandem -T COMMAND [OPTIONS]
Commands:
   -s server-address -p port -u url
   -S -s server-address -p port -u url
   -h

Options:
Either long or short options are allowed.
   --use-ssl         -S       Use SSL connection to remote server.
   --use-sni         -I       Use SNI during SSL handshake (uses virtualhost setting; see -V).
   --server          -s       Use the specified remote server address.
   --port            -p       Use the specified remote server port.
   --url             -u       Use the specified remote server url.
   --use-virtualhost -V       Use the specified virtualhost in GET query.
   --hash            -H       Use the specified hash algorithm (md5 only).
   --verbose         -v       Use verbose mode output.
   --help            -h       Display this short inlined help screen.
   --fwmark          -m       Use the specified FW mark (not supported).
   --protocol        -P       Use the specified HTTP protocol - '1.0', 1.0c', '1.1'.
                                1.0c means 1.0 with 'Connection: close'
   --timeout         -t       Timeout in seconds (default 5)
`;

export interface GenhashOptions {
  readonly server: string;
  readonly family: Family;
  readonly port: number;
  readonly url: string;
  readonly ssl: boolean;
  readonly sni: boolean;
  readonly virtualhost?: string;
  readonly verbose: boolean;
  readonly protocol: HttpProtocol;
  readonly timeoutMs: number;
}

export type GenhashArgs =
  | { readonly ok: true; readonly help: true }
  | { readonly ok: true; readonly help: false; readonly options: GenhashOptions }
  /** message: keepalived's complaint, or '' when only the usage applies. */
  | { readonly ok: false; readonly message: string };

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  genhash: { type: 'boolean', short: 'T' },
  verbose: { type: 'boolean', short: 'v' },
  'use-ssl': { type: 'boolean', short: 'S' },
  'use-sni': { type: 'boolean', short: 'I' },
  server: { type: 'string', short: 's' },
  hash: { type: 'string', short: 'H' },
  'use-virtualhost': { type: 'string', short: 'V' },
  port: { type: 'string', short: 'p' },
  url: { type: 'string', short: 'u' },
  fwmark: { type: 'string', short: 'm' },
  protocol: { type: 'string', short: 'P' },
  timeout: { type: 'string', short: 't' },
} as const;

const PROTOCOLS: Readonly<Record<string, HttpProtocol>> = {
  '1.0': '1.0',
  '1.0c': '1.0C',
  '1.0C': '1.0C',
  '1.1': '1.1',
};

export function parseGenhashArgs(argv: readonly string[]): GenhashArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: true });
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
  const v = parsed.values;
  if (v.help === true) return { ok: true, help: true };
  if (parsed.positionals.length > 0) {
    return { ok: false, message: `Unexpected argument(s): ${parsed.positionals.join(' ')}` };
  }
  const ip = v.server === undefined ? undefined : parseIp(v.server);
  if (v.server !== undefined && ip === undefined) {
    return { ok: false, message: `server should be an IP, not ${v.server}` };
  }
  const port = v.port === undefined ? undefined : /^\d{1,5}$/.test(v.port) ? Number(v.port) : 0;
  if (port !== undefined && (port <= 0 || port > 65535)) {
    return { ok: false, message: `invalid port number '${v.port ?? ''}'` };
  }
  const protocol = v.protocol === undefined ? '1.0' : PROTOCOLS[v.protocol];
  if (protocol === undefined) {
    return { ok: false, message: `invalid HTTP protocol version '${v.protocol ?? ''}'` };
  }
  const timeout = v.timeout?.trimStart();
  if (timeout !== undefined && !/^\d+$/.test(timeout)) {
    return { ok: false, message: `invalid timeout '${v.timeout ?? ''}'` };
  }
  if (v.hash !== undefined && v.hash.toLowerCase() !== 'md5') {
    return { ok: false, message: `unsupported hash algorithm '${v.hash}' (only md5)` };
  }
  if (v.fwmark !== undefined) return { ok: false, message: 'tandem built without fwmark support' };
  if (ip === undefined || port === undefined || v.url === undefined)
    return { ok: false, message: '' };
  const options: GenhashOptions = {
    server: ip.text,
    family: ip.family,
    port,
    url: v.url,
    ssl: v['use-ssl'] === true,
    sni: v['use-sni'] === true,
    verbose: v.verbose === true,
    protocol,
    // 0 would time out at once; keepalived treats it as "no timeout", so we allow the maximum.
    timeoutMs:
      timeout === undefined ? 5000 : Number(timeout) === 0 ? 2 ** 31 - 1 : Number(timeout) * 1000,
    ...(v['use-virtualhost'] === undefined ? {} : { virtualhost: v['use-virtualhost'] }),
  };
  return { ok: true, help: false, options };
}

/** keepalived's dump_buffer: decimal offset, 16 hex bytes split by " -", then printable ASCII. */
export function hexDump(buf: Uint8Array): string {
  let out = '';
  for (let row = 0; row < buf.length; row += 16) {
    out += `${String(row & 0xffff).padStart(4, '0')} `;
    let ascii = '';
    for (let i = row; i < row + 16; i++) {
      const b = buf[i];
      out += b === undefined ? '   ' : ` ${b.toString(16).padStart(2, '0')}`;
      ascii += b === undefined ? ' ' : b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.';
      if (i === row + 7) out += ' -';
    }
    out += `   ${ascii}\n`;
  }
  return out;
}

const delim = (title: string): string =>
  `-----------------------[${title}]-----------------------\n`;

export interface GenhashIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
}

/** Fetch and print; returns the exit status. */
export async function genhash(o: GenhashOptions, io: GenhashIo): Promise<number> {
  const target = {
    address: o.server,
    family: o.family,
    port: o.port,
    label: `[${o.server}]:tcp:${o.port}`,
    timeoutMs: o.timeoutMs,
  };
  const request = buildRequest(o.url, o.protocol, hostValue(target, o.virtualhost));
  let tls;
  if (o.ssl) {
    const ctx = loadTlsContext(undefined);
    if (!ctx.ok) {
      io.stderr('Cannot initialize SSL context.\n');
      return 1;
    }
    const vhost = o.virtualhost;
    const sni = o.sni && vhost !== undefined && parseIp(vhost) === undefined;
    tls = {
      context: ctx.context,
      verify: false,
      compliant: false,
      ...(sni ? { servername: vhost } : {}),
    };
  }
  const spec = {
    target,
    request: Buffer.from(request, 'latin1'),
    ...(tls === undefined ? {} : { tls }),
  };
  const out = await fetchOnce(spec, new AbortController().signal);
  if (out.kind === 'failed') {
    io.stdout(`${fetchFailureText(out, o.ssl)}\n`);
    return 1;
  }
  if (out.kind === 'connected' || out.decoded.kind === 'invalid') {
    io.stderr('no data received from remote webserver\n');
    return 1;
  }
  const r = out.decoded.value;
  const hex = md5Hex(r.body);
  if (o.verbose) {
    io.stdout(delim('    HTTP Header Buffer    ') + hexDump(r.head));
    io.stdout(`${delim(' HTTP Header Ascii Buffer ')}${r.head.toString('latin1')}\n`);
    if (r.body.length > 0) io.stdout(delim('        HTML Buffer        ') + hexDump(r.body));
    io.stdout(`\n${delim('    HTML hash resulting    ')}${hexDump(Buffer.from(hex, 'hex'))}`);
    io.stdout(delim(' HTML hash final resulting '));
  }
  io.stdout(`${hex}\n`);
  return 0;
}

/** The `tandem genhash ARGS` / `tandem -T ARGS` entry point; returns the exit status. */
export async function runGenhash(argv: readonly string[], io: GenhashIo): Promise<number> {
  const a = parseGenhashArgs(argv);
  if (a.ok && a.help) {
    io.stdout(GENHASH_USAGE);
    return 0;
  }
  if (!a.ok) {
    io.stderr(`${a.message === '' ? '' : `${a.message}\n`}${GENHASH_USAGE}`);
    return 1;
  }
  return genhash(a.options, io);
}
