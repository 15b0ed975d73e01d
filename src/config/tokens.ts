// The token stream of a whole configuration, stored as one growable Int32Array (eight numbers
// per token) instead of one object per token. A 1,000-virtual-server config has ~170,000
// tokens that all live until the keyword tables have run; as objects (plus a Location each)
// they made the compiler spend more time in the garbage collector than in parsing. Token text
// is a range of a stored string (the file text itself on the fast path), and a Word object
// with its Location is made only when a keyword handler asks for it (see parser.ts).

import { ensureInt32 } from '../lib/int32-grow.js';
import type { Location, Source } from './diagnostics.js';

export const WORD = 0;
export const QUOTED_WORD = 1;
export const OPEN = 2;
export const CLOSE = 3;
export type TokenKind = typeof WORD | typeof QUOTED_WORD | typeof OPEN | typeof CLOSE;

const STRIDE = 8;
// Field offsets within a token's eight slots.
const KIND = 0;
const BUF = 1;
const START = 2;
const END = 3;
const SRC = 4;
const LINE = 5;
const COL = 6;
const LOGICAL = 7;

export interface TokenStore {
  data: Int32Array;
  count: number;
  /** Strings that token text is cut from: whole file texts, or single preprocessed words. */
  readonly bufs: string[];
  /** The files tokens come from (a token keeps an index). */
  readonly sources: Source[];
}

export function createTokenStore(): TokenStore {
  return { data: new Int32Array(STRIDE * 4096), count: 0, bufs: [], sources: [] };
}

/** Appends a token; `buf`/`start`/`end` locate its text (unused for braces). */
export function pushToken(
  s: TokenStore,
  kind: TokenKind,
  buf: number,
  start: number,
  end: number,
  src: number,
  line: number,
  col: number,
  logical: number,
): void {
  let o = s.count * STRIDE;
  s.data = ensureInt32(s.data, o + STRIDE);
  const d = s.data;
  d[o++] = kind;
  d[o++] = buf;
  d[o++] = start;
  d[o++] = end;
  d[o++] = src;
  d[o++] = line;
  d[o++] = col;
  d[o] = logical;
  s.count++;
}

/** Appends a word whose text is not a range of a stored string (it was preprocessed). */
export function pushWordText(
  s: TokenStore,
  text: string,
  quoted: boolean,
  src: number,
  line: number,
  col: number,
  logical: number,
): void {
  const buf = s.bufs.push(text) - 1;
  pushToken(s, quoted ? QUOTED_WORD : WORD, buf, 0, text.length, src, line, col, logical);
}

export function tokenKind(s: TokenStore, i: number): TokenKind {
  return (s.data[i * STRIDE + KIND] ?? CLOSE) as TokenKind;
}

export function tokenLogical(s: TokenStore, i: number): number {
  return s.data[i * STRIDE + LOGICAL] ?? 0;
}

export function tokenText(s: TokenStore, i: number): string {
  const o = i * STRIDE;
  const d = s.data;
  return (s.bufs[d[o + BUF] ?? 0] ?? '').slice(d[o + START], d[o + END]);
}

export function tokenAt(s: TokenStore, i: number): Location {
  const o = i * STRIDE;
  const d = s.data;
  return {
    source: s.sources[d[o + SRC] ?? 0] ?? { path: '' },
    line: d[o + LINE] ?? 0,
    column: d[o + COL] ?? 0,
  };
}
