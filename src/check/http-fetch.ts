// One GET over a raw socket, as keepalived's check_http.c threads do it: connect
// (http_connect_thread), TLS handshake for SSL_GET (http_check_thread/ssl_connect), send the
// request (http_request_thread), read until the response is framed or the peer closes
// (http_read_thread/ssl_read_thread). connect_timeout bounds each step and each read separately,
// as keepalived re-arms its thread timeout per operation. Raw sockets rather than node:http keep
// the request byte-exact and let a server that speaks nonsense be judged instead of thrown at.

import { connect as tlsConnect, type SecureContext, type TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import { connectTarget, errnoCode } from './connect.js';
import { decodeResponse, type DecodeResponse } from './http-response.js';
import type { ProbeFailure, ProbeTarget } from './probe.js';

export interface TlsSpec {
  readonly context: SecureContext;
  /** SNI server name; absent: no SNI extension. */
  readonly servername?: string;
  /** Verify the chain against the context's CA (hostnames are not checked; see http.ts). */
  readonly verify: boolean;
  /** tls_compliant: send close_notify before closing. */
  readonly compliant: boolean;
}

export interface FetchSpec {
  readonly target: ProbeTarget;
  /** Empty: connect (and handshake) only, for an HTTP_GET without url blocks. */
  readonly request: Buffer;
  readonly tls?: TlsSpec;
}

/** Where a fetch stopped: names keepalived's thread, so http.ts can pick keepalived's line. */
export type FetchStep = 'connect' | 'tls' | 'write' | 'first-read' | 'read';

export type FetchOutcome =
  | {
      readonly kind: 'failed';
      readonly step: FetchStep;
      readonly failure: Exclude<ProbeFailure, 'mismatch'>;
      readonly code: string;
    }
  | { readonly kind: 'connected' }
  | {
      readonly kind: 'answered';
      readonly decoded: Exclude<DecodeResponse, { kind: 'incomplete' }>;
    };

/** Past this many bytes the response is judged on what arrived (keepalived streams unbounded). */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export async function fetchOnce(spec: FetchSpec, signal: AbortSignal): Promise<FetchOutcome> {
  const c = await connectTarget(spec.target, signal);
  if (!c.ok) return { kind: 'failed', step: 'connect', failure: c.failure, code: c.code };
  return exchange(spec, c.socket, signal);
}

function exchange(spec: FetchSpec, raw: Socket, signal: AbortSignal): Promise<FetchOutcome> {
  return new Promise((resolve) => {
    let step: FetchStep = spec.tls === undefined ? 'write' : 'tls';
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let sock: Socket | TLSSocket = raw;
    const chunks: Buffer[] = [];
    let size = 0;

    const finish = (o: FetchOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (spec.tls?.compliant === true && sock !== raw && !sock.destroyed) {
        sock.end(() => raw.destroy());
        setTimeout(() => raw.destroy(), 50).unref();
      } else {
        sock.destroy();
        raw.destroy();
      }
      resolve(o);
    };
    const fail = (failure: Exclude<ProbeFailure, 'mismatch'>, code: string): void =>
      finish({ kind: 'failed', step, failure, code });
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => fail('timeout', 'ETIMEDOUT'), spec.target.timeoutMs);
    };
    const onAbort = (): void => fail('timeout', 'ETIMEDOUT');
    const onError = (err: Error): void => {
      const code = errnoCode(err);
      // A failed handshake is 'error'; a reset or close mid-exchange is the server going away.
      fail(step === 'tls' ? 'error' : 'refused', code);
    };
    const decode = (eof: boolean): void => {
      const d = decodeResponse(Buffer.concat(chunks, size), eof || size >= MAX_RESPONSE_BYTES);
      if (d.kind !== 'incomplete') finish({ kind: 'answered', decoded: d });
    };
    const send = (): void => {
      if (spec.request.length === 0) {
        finish({ kind: 'connected' });
        return;
      }
      step = 'write';
      arm();
      sock.on('data', (chunk: Buffer) => {
        step = 'read';
        arm();
        chunks.push(chunk);
        size += chunk.length;
        decode(false);
      });
      sock.once('end', () => decode(true));
      sock.write(spec.request, (err) => {
        if (err !== undefined && err !== null) {
          fail('error', errnoCode(err));
          return;
        }
        if (step === 'write') {
          step = 'first-read';
          arm();
        }
      });
    };

    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    raw.on('error', onError);
    arm();
    const tls = spec.tls;
    if (tls === undefined) {
      send();
      return;
    }
    const secure = tlsConnect({
      socket: raw,
      secureContext: tls.context,
      rejectUnauthorized: tls.verify,
      // keepalived connects by address and never checks names; with a CA we check the chain only.
      checkServerIdentity: () => undefined,
      ...(tls.servername === undefined ? {} : { servername: tls.servername }),
    });
    sock = secure;
    secure.on('error', onError);
    secure.once('secureConnect', send);
  });
}
