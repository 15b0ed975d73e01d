// Line-level lexing of keepalived.conf (keepalived's lib/parser.c: decomment, alloc_strvec_r),
// with a source column for every character so diagnostics point at the exact place.
//
// A logical line is text plus, for each UTF-16 unit, the 1-based column (in code points) of the
// character it came from in the physical line. Substitutions keep that map (inserted text takes
// the column of the `$` that produced it), so tokens stay traceable after preprocessing.

import type { Location, Source } from './diagnostics.js';
import type { Word } from './parser.js';
import { CLOSE, OPEN, WORD, pushToken, type TokenStore } from './tokens.js';

export interface SrcLine {
  readonly text: string;
  /** Explicit columns, only where the identity mapping (offset + index + 1) does not hold. */
  readonly cols?: readonly number[];
  readonly offset?: number;
}

export type { Word };

export interface Brace {
  readonly kind: 'open' | 'close';
  readonly at: Location;
  readonly line: number;
}

export type Token = Word | Brace;

/** A physical line with its column map (implicit unless it holds astral characters). */
export function srcLine(text: string): SrcLine {
  if (!/[\uD800-\uDBFF]/.test(text)) return { text };
  const cols: number[] = [];
  let col = 1;
  for (let i = 0; i < text.length; i++) {
    cols.push(col);
    const code = text.charCodeAt(i);
    // The high half of a surrogate pair shares the column with the low half.
    if (code < 0xd800 || code > 0xdbff) col++;
  }
  return { text, cols };
}

export function slice(line: SrcLine, start: number, end = line.text.length): SrcLine {
  const text = line.text.slice(start, end);
  if (line.cols === undefined) return { text, offset: (line.offset ?? 0) + start };
  return { text, cols: line.cols.slice(start, end) };
}

function explicitCols(line: SrcLine): readonly number[] {
  if (line.cols !== undefined) return line.cols;
  const base = (line.offset ?? 0) + 1;
  return Array.from({ length: line.text.length }, (_, i) => base + i);
}

export function concat(...parts: SrcLine[]): SrcLine {
  return { text: parts.map((p) => p.text).join(''), cols: parts.flatMap(explicitCols) };
}

/** Column of index i, or one past the last character when i is at the end. */
export function colAt(line: SrcLine, i: number): number {
  if (line.cols === undefined) return (line.offset ?? 0) + i + 1;
  const c = line.cols[i];
  if (c !== undefined) return c;
  const last = line.cols[line.cols.length - 1];
  return last === undefined ? 1 : last + 1;
}

export function trim(line: SrcLine): SrcLine {
  let start = 0;
  let end = line.text.length;
  while (start < end && isSpace(line.text.charCodeAt(start))) start++;
  while (end > start && isSpace(line.text.charCodeAt(end - 1))) end--;
  return slice(line, start, end);
}

export function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 13 || code === 11 || code === 12;
}

export interface Decommented {
  readonly line: SrcLine;
  /** Index (in the input) of a double quote that is never closed. */
  readonly unterminatedQuote?: number;
}

/**
 * Strips a `#` or `!` comment (outside double quotes) and turns `\#` / `\!` into literal
 * characters, as keepalived's decomment() does.
 */
export function decomment(line: SrcLine): Decommented {
  // Fast path: nothing to strip or unescape, so the line keeps its implicit columns.
  if (!/["\\#!]/.test(line.text)) return { line: trim(line) };
  let text = '';
  const cols: number[] = [];
  let inQuote = false;
  let quoteAt = -1;
  for (let i = 0; i < line.text.length; i++) {
    const ch = line.text[i] ?? '';
    if (ch === '"') {
      inQuote = !inQuote;
      if (inQuote) quoteAt = i;
    } else if (!inQuote && ch === '\\' && (line.text[i + 1] === '#' || line.text[i + 1] === '!')) {
      i++;
      text += line.text[i] ?? '';
      cols.push(colAt(line, i));
      continue;
    } else if (!inQuote && (ch === '#' || ch === '!')) {
      break;
    }
    text += ch;
    cols.push(colAt(line, i));
  }
  const out = trim({ text, cols });
  return inQuote ? { line: out, unterminatedQuote: quoteAt } : { line: out };
}

/**
 * Splits a decommented line into words and braces. A `"…"` run is part of one word with the
 * quotes removed (quotes may start mid-word); `{` and `}` outside quotes are tokens of their
 * own, glued or not (`8066{` is `8066` then `{`).
 */
export function tokenize(line: SrcLine, source: Source, lineNo: number, logical: number): Token[] {
  const tokens: Token[] = [];
  const at = (i: number): Location => ({ source, line: lineNo, column: colAt(line, i) });
  let i = 0;
  const n = line.text.length;
  while (i < n) {
    const code = line.text.charCodeAt(i);
    if (isSpace(code)) {
      i++;
      continue;
    }
    const ch = line.text[i];
    if (ch === '{' || ch === '}') {
      tokens.push({ kind: ch === '{' ? 'open' : 'close', at: at(i), line: logical });
      i++;
      continue;
    }
    const start = i;
    let text = '';
    let quoted = false;
    let inQuote = false;
    // Fast path: a plain word is a slice of the line.
    let j = i;
    while (j < n) {
      const c = line.text.charCodeAt(j);
      if (isSpace(c) || c === 123 || c === 125 || c === 34) break;
      j++;
    }
    if (j === n || line.text.charCodeAt(j) !== 34) {
      tokens.push({
        kind: 'word',
        text: line.text.slice(i, j),
        quoted: false,
        at: at(start),
        line: logical,
      });
      i = j;
      continue;
    }
    while (i < n) {
      const c = line.text[i] ?? '';
      if (c === '"') {
        inQuote = !inQuote;
        quoted = true;
        i++;
        continue;
      }
      if (!inQuote && (isSpace(line.text.charCodeAt(i)) || c === '{' || c === '}')) break;
      text += c;
      i++;
    }
    tokens.push({ kind: 'word', text, quoted, at: at(start), line: logical });
  }
  return tokens;
}

export const EMPTY = 0;
export const PLAIN = 1;
export const SPECIAL = 2;

// Character classes of the fast path, by char code below 128: one table lookup per character
// instead of calls (the scan runs over every character of the configuration, mostly before the
// JIT has optimized it).
const OTHER = 0;
const SPACE = 1; // isSpace(): space \t \r \v \f
const BRACE = 2;
const STOP = 3; // " # ! $ \\ NUL: the line needs the general path
const CLASS = new Uint8Array(128);
for (const c of [32, 9, 13, 11, 12]) CLASS[c] = SPACE;
for (const c of [123, 125]) CLASS[c] = BRACE;
for (const c of [34, 35, 33, 36, 92, 0]) CLASS[c] = STOP;

function classOf(c: number): number {
  // A high surrogate starts an astral character, which takes the general path (columns).
  return c < 128 ? (CLASS[c] ?? OTHER) : c >= 0xd800 && c <= 0xdbff ? STOP : OTHER;
}

/**
 * The fast path for the lines most configs are made of: tokenizes text[start, end) straight
 * into the store when it has nothing to decomment, unescape, preprocess or include (no
 * `" \\ # ! $` or NUL, no astral character, not starting with `@`, `~` or `include`).
 * Returns SPECIAL, having stored nothing, for any other line: the general path handles it.
 */
export function plainLine(
  s: TokenStore,
  text: string,
  buf: number,
  start: number,
  end: number,
  src: number,
  lineNo: number,
  logical: number,
): typeof EMPTY | typeof PLAIN | typeof SPECIAL {
  let i = start;
  while (i < end && classOf(text.charCodeAt(i)) === SPACE) i++;
  if (i === end) return EMPTY;
  const first = text.charCodeAt(i);
  if (first === 64 || first === 126 || (first === 105 && text.startsWith('include', i))) {
    return SPECIAL; // @, ~, include
  }
  const saved = s.count;
  while (i < end) {
    const k = classOf(text.charCodeAt(i));
    if (k === SPACE) {
      i++;
      continue;
    }
    if (k === BRACE) {
      const kind = text.charCodeAt(i) === 123 ? OPEN : CLOSE;
      pushToken(s, kind, 0, 0, 0, src, lineNo, i - start + 1, logical);
      i++;
      continue;
    }
    let j = i;
    for (; j < end; j++) {
      const w = classOf(text.charCodeAt(j));
      if (w === SPACE || w === BRACE) break;
      if (w === STOP) {
        s.count = saved;
        return SPECIAL;
      }
    }
    pushToken(s, WORD, buf, i, j, src, lineNo, i - start + 1, logical);
    i = j;
  }
  return PLAIN;
}
