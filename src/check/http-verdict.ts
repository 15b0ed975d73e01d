// Judging one url's response, in keepalived's order (check_http.c `http_handle_response`): status
// code against the url's ranges, then the MD5 of the body against `digest`, then `regex`
// (with regex_no_match and regex_min/max_offset). Pure: no sockets, no clock.
//
// keepalived matches with PCRE2 on raw bytes; we use JS RegExp on the body decoded as latin1 (one
// char per byte, so offsets are byte offsets, as in PCRE2 without `utf`). regex_options map to
// flags where JS has one: caseless→i, multiline→m, dotall→s, utf/ucp→u (body decoded as UTF-8,
// offsets then count UTF-16 units). The others (extended, ungreedy, firstline, dollar_endonly,
// no_auto_capture, …) have no JS equivalent and are ignored; PCRE-only syntax (possessive
// quantifiers, atomic groups, \A, \Z) fails to compile and makes every attempt fail.

import { createHash } from 'node:crypto';
import type { HttpUrl } from '../config/model.js';
import type { HttpResponse } from './http-response.js';

export type UrlVerdict = 'ok' | 'status' | 'digest' | 'regex';

export interface UrlJudge {
  readonly url: HttpUrl;
  /** Set when the regex does not compile as a JS RegExp; the url then always fails. */
  readonly regexError?: string;
  judge(response: HttpResponse): UrlVerdict;
}

const FLAG_OF: Readonly<Record<string, string>> = {
  caseless: 'i',
  multiline: 'm',
  dotall: 's',
  utf: 'u',
  ucp: 'u',
};

export function md5Hex(body: Uint8Array): string {
  return createHash('md5').update(body).digest('hex');
}

export function statusAccepted(
  status: number,
  ranges: readonly (readonly [number, number])[],
): boolean {
  return ranges.some(([lo, hi]) => status >= lo && status <= hi);
}

/** First match position at or after `min`; undefined when there is none. */
export function firstMatch(re: RegExp, subject: string, min: number): number | undefined {
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
  g.lastIndex = min;
  const m = g.exec(subject);
  return m === null ? undefined : m.index;
}

export function compileUrl(url: HttpUrl): UrlJudge {
  let re: RegExp | undefined;
  let regexError: string | undefined;
  const flags = [...new Set(url.regexOptions.map((o) => FLAG_OF[o] ?? ''))].join('');
  if (url.regex !== undefined) {
    try {
      re = new RegExp(url.regex, flags);
    } catch (err) {
      regexError = `Invalid regex: '${url.regex}': ${(err as Error).message}`;
    }
  }
  const utf = flags.includes('u');
  const judge = (r: HttpResponse): UrlVerdict => {
    // An empty list (digest given, no status_code) puts no constraint on the status; see model.ts.
    if (url.statusCode.length > 0 && !statusAccepted(r.status, url.statusCode)) return 'status';
    if (url.digest !== undefined && md5Hex(r.body) !== url.digest) return 'digest';
    if (url.regex !== undefined) {
      if (re === undefined) return 'regex';
      const at = firstMatch(re, r.body.toString(utf ? 'utf8' : 'latin1'), url.regexMinOffset ?? 0);
      const matched =
        at !== undefined && (url.regexMaxOffset === undefined || at <= url.regexMaxOffset);
      if (matched === url.regexNoMatch) return 'regex';
    }
    return 'ok';
  };
  return { url, judge, ...(regexError === undefined ? {} : { regexError }) };
}
