// Real servers for the HTTP_GET/SSL_GET probe tests, written on net/tls rather than node:http so
// a test can see the request's exact bytes (node:http consumes the socket below 'data' events)
// and answer with anything: chunked bodies, wrong framing, or nothing at all. Also a throwaway
// self-signed certificate made with the openssl CLI.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import {
  createServer as createNetServer,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';

export interface RecordedRequest {
  readonly raw: string;
  readonly path: string;
  /** SNI the client sent (TLS only); false when none. */
  readonly servername?: string | false;
}

/** A full response (bytes written as given), or HANG: accept, read, never answer. */
export const HANG = Symbol('hang');
export type Reply = string | Buffer | typeof HANG;

export interface RawHttpServer {
  readonly address: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** `address:port` of every client that connected. */
  readonly peers: string[];
  stop(): Promise<void>;
}

export interface RawHttpOptions {
  readonly address: string;
  readonly tls?: { readonly key: Buffer; readonly cert: Buffer };
  readonly reply: (path: string) => Reply;
}

/** `HTTP/1.1 <status>` with Content-Length and Connection: close. */
export function response(status: number, body: string, extra = ''): string {
  return `HTTP/1.1 ${status} X\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`;
}

/** The same body in chunked coding, cut into the given chunk sizes. */
export function chunkedResponse(status: number, body: Buffer, sizes: readonly number[]): Buffer {
  const parts: Buffer[] = [
    Buffer.from(`HTTP/1.1 ${status} X\r\nTransfer-Encoding: chunked\r\n\r\n`),
  ];
  let pos = 0;
  for (const n of sizes) {
    if (pos >= body.length) break;
    const piece = body.subarray(pos, Math.min(body.length, pos + Math.max(1, n)));
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
    pos += piece.length;
  }
  if (pos < body.length) {
    const rest = body.subarray(pos);
    parts.push(Buffer.from(`${rest.length.toString(16)}\r\n`), rest, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

export async function startRawHttp(o: RawHttpOptions): Promise<RawHttpServer> {
  const requests: RecordedRequest[] = [];
  const peers: string[] = [];
  const sockets = new Set<Socket>();
  const serve = (sock: Socket, servername?: string | false): void => {
    sockets.add(sock);
    peers.push(`${sock.remoteAddress ?? ''}:${sock.remotePort ?? 0}`);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    let buf = '';
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const raw = buf.slice(0, end + 4);
      buf = '\u0000'; // ignore anything after the first request
      const path = /^GET (\S+)/.exec(raw)?.[1] ?? '';
      requests.push({ raw, path, ...(servername === undefined ? {} : { servername }) });
      const reply = o.reply(path);
      if (reply !== HANG) sock.end(reply);
    });
  };
  const tls = o.tls;
  const server: Server =
    tls === undefined
      ? createNetServer((s) => serve(s))
      : createTlsServer({ key: tls.key, cert: tls.cert }, (s: TLSSocket) =>
          serve(s, s.servername ?? false),
        );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, o.address, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    address: o.address,
    port,
    requests,
    peers,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface SelfSigned {
  readonly dir: string;
  readonly keyPath: string;
  readonly certPath: string;
  readonly key: Buffer;
  readonly cert: Buffer;
  remove(): void;
}

/** A P-256 self-signed certificate for `cn`, in a fresh temp dir. */
export function selfSigned(cn: string): SelfSigned {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-cert-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${cn}`,
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ],
    { stdio: 'ignore' },
  );
  return {
    dir,
    keyPath,
    certPath,
    key: readFileSync(keyPath),
    cert: readFileSync(certPath),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
