// One TCP connect for a probe (keepalived's layer4.c `tcp_bind_connect` + `tcp_socket_state`):
// bind to bindto/bind_port when given, connect to the target, and give up after connect_timeout
// or when the runner aborts. Every failure is a value; the socket is destroyed on every path
// except success, where the caller owns it.

import { connect, type Socket } from 'node:net';
import type { ProbeFailure, ProbeTarget } from './probe.js';

export type ConnectOutcome =
  | { readonly ok: true; readonly socket: Socket }
  | {
      readonly ok: false;
      readonly failure: Exclude<ProbeFailure, 'mismatch'>;
      /** errno name (ECONNREFUSED, EADDRINUSE …), or 'ETIMEDOUT' for connect_timeout/abort. */
      readonly code: string;
    };

/** Bind errors are ours, not the server's: keepalived reschedules instead of counting them. */
const LOCAL_ERRORS = new Set(['EADDRINUSE', 'EADDRNOTAVAIL', 'EACCES', 'EINVAL', 'EPERM']);

export function errnoCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'EIO';
}

export function connectTarget(target: ProbeTarget, signal: AbortSignal): Promise<ConnectOutcome> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve({ ok: false, failure: 'timeout', code: 'ETIMEDOUT' });
      return;
    }
    let done = false;
    const socket = connect({
      host: target.address,
      port: target.port,
      family: target.family === 'inet6' ? 6 : 4,
      ...(target.bindto === undefined ? {} : { localAddress: target.bindto }),
      ...(target.bindPort === undefined ? {} : { localPort: target.bindPort }),
      noDelay: true,
    });
    const finish = (o: ConnectOutcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.removeListener('error', onError);
      // Until the caller adds its own listener, a late error must not crash the daemon.
      if (o.ok) socket.on('error', () => undefined);
      else socket.destroy();
      resolve(o);
    };
    const onAbort = (): void => finish({ ok: false, failure: 'timeout', code: 'ETIMEDOUT' });
    const onError = (err: Error): void => {
      const code = errnoCode(err);
      finish({ ok: false, failure: LOCAL_ERRORS.has(code) ? 'error' : 'refused', code });
    };
    const timer = setTimeout(onAbort, target.timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once('connect', () => finish({ ok: true, socket }));
  });
}
