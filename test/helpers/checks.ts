// Builders for probe tests: a ProbeTarget for an address and port, and HttpCheck/HttpUrl values
// with keepalived's defaults, so each test spells out only what it is about.

import type { HttpCheck, HttpUrl } from '../../src/config/model.js';
import type { ProbeResult, ProbeTarget } from '../../src/check/probe.js';

const AT = { file: 'test.conf', line: 1, column: 1 };

export function target(address: string, port: number, timeoutMs = 1000): ProbeTarget {
  const family = address.includes(':') ? 'inet6' : 'inet';
  return { address, family, port, label: `[${address}]:tcp:${port}`, timeoutMs };
}

export function url(path: string, o: Partial<HttpUrl> = {}): HttpUrl {
  return {
    at: AT,
    path,
    statusCode: o.digest === undefined && o.statusCode === undefined ? [[200, 299]] : [],
    regexNoMatch: false,
    regexOptions: [],
    ...o,
  };
}

export function httpCheck(urls: readonly HttpUrl[], o: Partial<HttpCheck> = {}): HttpCheck {
  return {
    at: AT,
    type: 'HTTP_GET',
    url: urls,
    httpProtocol: '1.0',
    fastRecovery: false,
    enableSni: false,
    tlsCompliant: false,
    connectTimeout: 5,
    retry: 1,
    delayBeforeRetry: 3,
    warmup: 0,
    delayLoop: 6,
    alpha: false,
    logAllFailures: false,
    ...o,
  };
}

export const never = (): AbortSignal => new AbortController().signal;

/** The fields a test compares: ok, failure, message. */
export function summary(r: ProbeResult): string {
  return r.ok ? `ok: ${r.message}` : `${r.failure}: ${r.message}`;
}
