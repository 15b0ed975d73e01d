// The HTTP/1.x response decoder of HTTP_GET/SSL_GET (RFC 9112 §4 status line, §6 framing, §7.1
// chunked coding). A pure function over the bytes received so far: the fetch calls it after each
// read and stops as soon as the framing is satisfied. Untrusted bytes never make it throw.
// Lenient where keepalived is (html.c): a status line without a code yields status 0 (a status
// error, not a parse error), a bad Content-Length means read-to-close, and a close before the
// framing is satisfied still yields what arrived (`complete: false`), as keepalived hashes it.
// One deliberate difference: keepalived hashes and matches the raw bytes after the head, chunk
// sizes included, so its digest of a chunked (HTTP/1.1) answer changes with the chunking; we
// decode first, so a digest describes the content however the server cuts it.

export interface HttpResponse {
  /** 0 when the status line carries no three-digit code. */
  readonly status: number;
  readonly statusLine: string;
  readonly headers: readonly (readonly [string, string])[];
  /** Status line and header fields, up to and including the blank line. */
  readonly head: Buffer;
  /** The payload, chunked coding removed. */
  readonly body: Buffer;
  readonly framing: 'length' | 'chunked' | 'close' | 'none';
  /** Framing satisfied: Content-Length reached, last chunk seen, or the peer closed (read-to-close). */
  readonly complete: boolean;
  /** Set when the chunked coding was malformed; body holds the chunks before the damage. */
  readonly badChunk?: true;
}

export type DecodeResponse =
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'response'; readonly value: HttpResponse }
  | { readonly kind: 'invalid'; readonly reason: 'no-header' | 'header-too-large' };

/** A head longer than this is not an HTTP server talking to a health checker. */
export const MAX_HEAD_BYTES = 65_536;

const STATUS_RE = /^\S+ (\d{3})(?: |$)/;

function headEnd(buf: Buffer): { end: number; at: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf < 0 && lf < 0) return undefined;
  if (lf < 0 || (crlf >= 0 && crlf < lf)) return { at: crlf, end: crlf + 4 };
  return { at: lf, end: lf + 2 };
}

function parseHead(text: string): {
  statusLine: string;
  status: number;
  headers: [string, string][];
} {
  const lines = text.split(/\r?\n/);
  const statusLine = lines[0] ?? '';
  const m = STATUS_RE.exec(statusLine);
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return { statusLine, status: m?.[1] === undefined ? 0 : Number(m[1]), headers };
}

type Chunked =
  | { readonly kind: 'done'; readonly body: Buffer }
  | { readonly kind: 'partial'; readonly body: Buffer }
  | { readonly kind: 'bad'; readonly body: Buffer };

/** The end of the line starting at `from` (index of '\n'), or -1. */
function lineEnd(buf: Buffer, from: number): number {
  return buf.indexOf(0x0a, from);
}

export function decodeChunked(buf: Buffer, start = 0): Chunked {
  const parts: Buffer[] = [];
  const body = (): Buffer => Buffer.concat(parts);
  let pos = start;
  for (;;) {
    const nl = lineEnd(buf, pos);
    if (nl < 0) return buf.length - pos > 1024 ? { kind: 'bad', body: body() } : partial();
    const m = /^([0-9a-fA-F]{1,12})[ \t]*(?:;[^\r\n]*)?\r?$/.exec(buf.toString('latin1', pos, nl));
    if (m?.[1] === undefined) return { kind: 'bad', body: body() };
    const size = parseInt(m[1], 16);
    pos = nl + 1;
    if (size === 0) break;
    if (buf.length < pos + size) {
      parts.push(buf.subarray(pos));
      return partial();
    }
    parts.push(buf.subarray(pos, pos + size));
    pos += size;
    if (buf.length < pos + 2) return partial();
    if (buf[pos] === 0x0d && buf[pos + 1] === 0x0a) pos += 2;
    else if (buf[pos] === 0x0a) pos += 1;
    else return { kind: 'bad', body: body() };
  }
  // Trailer fields, then the blank line that ends the message.
  for (;;) {
    const nl = lineEnd(buf, pos);
    if (nl < 0) return partial();
    const empty = nl === pos || (nl === pos + 1 && buf[pos] === 0x0d);
    pos = nl + 1;
    if (empty) return { kind: 'done', body: body() };
  }

  function partial(): Chunked {
    return { kind: 'partial', body: body() };
  }
}

/** Decode what has arrived; `eof` says the peer closed, so read-to-close bodies end here. */
export function decodeResponse(buf: Buffer, eof: boolean): DecodeResponse {
  const he = headEnd(buf);
  if (he === undefined) {
    if (buf.length > MAX_HEAD_BYTES) return { kind: 'invalid', reason: 'header-too-large' };
    return eof ? { kind: 'invalid', reason: 'no-header' } : { kind: 'incomplete' };
  }
  if (he.end > MAX_HEAD_BYTES) return { kind: 'invalid', reason: 'header-too-large' };
  const { statusLine, status, headers } = parseHead(buf.toString('latin1', 0, he.at));
  const head = buf.subarray(0, he.end);
  const rest = buf.subarray(he.end);
  const base = { status, statusLine, headers, head };
  const field = (name: string): string[] => headers.filter(([n]) => n === name).map(([, v]) => v);

  if ((status >= 100 && status < 200) || status === 204 || status === 304) {
    const value: HttpResponse = { ...base, body: Buffer.alloc(0), framing: 'none', complete: true };
    return { kind: 'response', value };
  }
  const codings = field('transfer-encoding')
    .flatMap((v) => v.split(','))
    .map((c) => c.trim().toLowerCase());
  if (codings.at(-1) === 'chunked') {
    const c = decodeChunked(rest);
    if (c.kind === 'partial' && !eof) return { kind: 'incomplete' };
    const value: HttpResponse = {
      ...base,
      body: c.body,
      framing: 'chunked',
      complete: c.kind === 'done',
      ...(c.kind === 'bad' ? { badChunk: true as const } : {}),
    };
    return { kind: 'response', value };
  }
  const lengths = [...new Set(field('content-length').flatMap((v) => v.split(',')))].map((v) =>
    v.trim(),
  );
  const length =
    lengths.length === 1 && /^\d{1,15}$/.test(lengths[0] ?? '') ? Number(lengths[0]) : -1;
  if (length >= 0) {
    if (rest.length < length && !eof) return { kind: 'incomplete' };
    const value: HttpResponse = {
      ...base,
      body: rest.subarray(0, length),
      framing: 'length',
      complete: rest.length >= length,
    };
    return { kind: 'response', value };
  }
  if (!eof) return { kind: 'incomplete' };
  return { kind: 'response', value: { ...base, body: rest, framing: 'close', complete: true } };
}
