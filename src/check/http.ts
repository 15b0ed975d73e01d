// HTTP_GET and SSL_GET (keepalived.conf(5); keepalived's check_http.c and check_ssl.c): one
// attempt GETs every url in order, each on a fresh connection, and passes only when all pass.
// keepalived instead checks one url per delay_loop (all at once only with fast_recovery while
// down); checking all in one attempt keeps the probe stateless and the runner ignorant of urls,
// at the cost of N requests per delay_loop instead of one.
//
// Lines are keepalived 2.x's `timeout_epilog` lines ("<what> server [ip]:tcp:port."), logged by
// the runner with log_all_failures; success is "Remote Web server [ip]:tcp:port succeed on
// service.", the line keepalived logs when the checker goes up. keepalived's per-url
// "HTTP status code success to … url(/)" lines are not produced.
//
// TLS: keepalived never verifies the server (it loads `ca` but leaves SSL_VERIFY_NONE). We verify
// the chain when `SSL { ca }` is given, never the name (checks connect by address), and accept
// anything otherwise. SNI is sent with enable_sni (or sni_name): sni_name, else the url's,
// checker's or real server's virtualhost; never an IP literal (RFC 6066 §3).

import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { HttpCheck, HttpUrl, SslConfig } from '../config/model.js';
import { fetchOnce, type FetchOutcome, type TlsSpec } from './http-fetch.js';
import { compileUrl } from './http-verdict.js';
import type { Probe, ProbeResult, ProbeTarget } from './probe.js';

export type HttpProtocol = HttpCheck['httpProtocol'];

/** keepalived's request template: `GET`, User-Agent, optional `Connection: close`, Host. */
export function buildRequest(path: string, protocol: HttpProtocol, host: string): string {
  return (
    `GET ${path} HTTP/1.${protocol === '1.1' ? 1 : 0}\r\n` +
    'User-Agent: KeepAliveClient\r\n' +
    (protocol === '1.0' ? '' : 'Connection: close\r\n') +
    `Host: ${host}\r\n\r\n`
  );
}

/** The Host value: a virtualhost as given, else `IP:PORT` (`[v6]:PORT`, RFC 2732). */
export function hostValue(target: Pick<ProbeTarget, 'address' | 'port'>, vhost?: string): string {
  if (vhost !== undefined) return vhost;
  const ip = isIP(target.address) === 6 ? `[${target.address}]` : target.address;
  return `${ip}:${target.port}`;
}

export type TlsContext =
  | { readonly ok: true; readonly context: SecureContext; readonly verify: boolean }
  | { readonly ok: false; readonly message: string };

/** The SSL block's files, with keepalived's messages for each that fails to load. */
export function loadTlsContext(ssl: SslConfig | undefined): TlsContext {
  const read = (path: string | undefined): Buffer | undefined =>
    path === undefined ? undefined : readFileSync(path);
  let cert, key, ca;
  try {
    cert = read(ssl?.certificate);
  } catch {
    return { ok: false, message: 'SSL error : Cant load certificate file...' };
  }
  try {
    key = read(ssl?.key);
  } catch {
    return { ok: false, message: 'SSL error : Cant load key file...' };
  }
  try {
    ca = read(ssl?.ca);
  } catch {
    return { ok: false, message: 'SSL error : Cant load CA file...' };
  }
  try {
    const context = createSecureContext({
      ...(cert === undefined ? {} : { cert }),
      ...(key === undefined ? {} : { key }),
      ...(ca === undefined ? {} : { ca }),
      ...(ssl?.password === undefined ? {} : { passphrase: ssl.password }),
    });
    return { ok: true, context, verify: ca !== undefined };
  } catch {
    return { ok: false, message: 'Error Initialize SSL, ctx Instance' };
  }
}

const UNREACHABLE = new Set(['ENETUNREACH', 'EHOSTUNREACH']);

/** keepalived's `timeout_epilog` text for a fetch that failed before an answer. */
export function fetchFailureText(
  o: Extract<FetchOutcome, { kind: 'failed' }>,
  ssl: boolean,
): string {
  const timeout = o.failure === 'timeout';
  switch (o.step) {
    case 'connect':
      if (timeout) return 'Timeout connecting';
      if (o.failure === 'error') return 'WEB socket bind failed. Rescheduling';
      return UNREACHABLE.has(o.code) ? 'HTTP_CHECK - network unreachable' : 'Error connecting';
    case 'tls':
      return timeout ? 'Timeout connecting' : 'SSL handshake/communication error connecting to';
    case 'write':
      return timeout ? 'Timeout WEB write' : 'Cannot send get request to';
    case 'first-read':
    case 'read':
      if (ssl) return timeout ? 'Timeout SSL read' : 'SSL read error from';
      if (!timeout) return 'Read error with';
      return o.step === 'read' ? 'Timeout HTTP read' : 'Timeout WEB read';
  }
}

/** The verdict for a fetch that failed or got no usable answer (or a status error). */
export function failureLine(
  o: Exclude<FetchOutcome, { kind: 'connected' }>,
  ssl: boolean,
  label: string,
): ProbeResult {
  const line = (what: string): string => `${what} server ${label}.`;
  if (o.kind === 'answered') {
    // keepalived's text ends in a space before " server": the double space is verbatim.
    if (o.decoded.kind === 'invalid') {
      const failure = o.decoded.reason === 'no-header' ? 'refused' : 'mismatch';
      return { ok: false, failure, message: line('Read, no data received from ') };
    }
    return { ok: false, failure: 'mismatch', message: line('HTTP status code error to') };
  }
  const what = fetchFailureText(o, ssl);
  // A bind failure is ours, not the server's: keepalived logs it bare and reschedules.
  const message = o.failure === 'error' && o.step === 'connect' ? what : line(what);
  return { ok: false, failure: o.failure, message };
}

function sniName(check: HttpCheck, url: HttpUrl | undefined, rsVhost?: string): string | undefined {
  if (!check.enableSni && check.sniName === undefined) return undefined;
  const name = check.sniName ?? url?.virtualhost ?? check.virtualhost ?? rsVhost;
  return name === undefined || isIP(name) !== 0 ? undefined : name;
}

export function httpProbe(
  check: HttpCheck,
  ssl: SslConfig | undefined,
  rsVirtualhost?: string,
): Probe {
  const isSsl = check.type === 'SSL_GET';
  const judges = check.url.map(compileUrl);
  let tlsContext: TlsContext | undefined;
  const tlsFor = (
    url: HttpUrl | undefined,
  ): TlsSpec | Extract<TlsContext, { ok: false }> | undefined => {
    if (!isSsl) return undefined;
    tlsContext ??= loadTlsContext(ssl);
    if (!tlsContext.ok) return tlsContext;
    const servername = sniName(check, url, rsVirtualhost);
    return {
      context: tlsContext.context,
      verify: tlsContext.verify,
      compliant: check.tlsCompliant,
      ...(servername === undefined ? {} : { servername }),
    };
  };

  return async (target, signal) => {
    const success: ProbeResult = {
      ok: true,
      message: `Remote Web server ${target.label} succeed on service.`,
    };
    const steps = judges.length === 0 ? [undefined] : judges;
    for (const j of steps) {
      if (j?.regexError !== undefined)
        return { ok: false, failure: 'error', message: j.regexError };
      const tls = tlsFor(j?.url);
      if (tls !== undefined && 'ok' in tls)
        return { ok: false, failure: 'error', message: tls.message };
      const request =
        j === undefined
          ? Buffer.alloc(0)
          : Buffer.from(
              buildRequest(
                j.url.path,
                check.httpProtocol,
                hostValue(target, j.url.virtualhost ?? check.virtualhost ?? rsVirtualhost),
              ),
              'latin1',
            );
      const o = await fetchOnce({ target, request, ...(tls === undefined ? {} : { tls }) }, signal);
      if (o.kind === 'connected') continue;
      if (o.kind === 'failed' || o.decoded.kind === 'invalid' || j === undefined) {
        return failureLine(o, isSsl, target.label);
      }
      const verdict = j.judge(o.decoded.value);
      if (verdict === 'ok') continue;
      if (verdict === 'status') return failureLine(o, isSsl, target.label);
      const what = verdict === 'digest' ? 'MD5 digest error to' : 'Regex match failed';
      return { ok: false, failure: 'mismatch', message: `${what} server ${target.label}.` };
    }
    return success;
  };
}
