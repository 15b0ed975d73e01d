// Argument parsers for keyword values. Each reports its own diagnostic (with the word's
// position) and returns undefined on bad input, so keyword tables stay one line per keyword.
// Value grammar from keepalived.conf(5): <BOOL> on|off|true|false|yes|no (the keyword alone
// means true); <TIMER> seconds with an optional fraction (µs resolution); integers in decimal.

import { parseIp, parsePrefix, type Family, type IpAddress, type IpPrefix } from '../lib/inet.js';
import type { Location } from './diagnostics.js';
import type { Word } from './lexer.js';
import type { Position, ScriptSpec } from './model.js';
import type { Statement } from './parser.js';
import type { Cx } from './schema.js';

export function pos(at: Location): Position {
  return { file: at.source.path, line: at.line, column: at.column };
}

/** Checks the number of arguments; extra ones are a warning (and ignored). */
export function arity(st: Statement, cx: Cx, min: number, max: number, syntax: string): boolean {
  const name = st.keyword.text;
  if (st.args.length < min) {
    const at = st.args[st.args.length - 1]?.at ?? st.keyword.at;
    cx.sink.error(
      'CFG_MISSING_ARGUMENT',
      at,
      `'${name}' needs ${min === 1 && max === 1 ? 'a value' : 'more values'}: ${name} ${syntax}`,
    );
    return false;
  }
  if (st.args.length > max) {
    const extra = st.args[max];
    cx.sink.warning(
      'CFG_EXTRA_ARGUMENT',
      extra?.at ?? st.keyword.at,
      `'${name}' takes ${max === 0 ? 'no value' : `at most ${max} value${max === 1 ? '' : 's'}`} (${name} ${syntax}); '${st.args
        .slice(max)
        .map((w) => w.text)
        .join(' ')}' is ignored`,
    );
  }
  return true;
}

function semicolonHint(text: string): string {
  return text.endsWith(';') ? " (';' is not a statement separator in keepalived.conf)" : '';
}

export function integer(word: Word, cx: Cx, min: number, max: number): number | undefined {
  const text = word.text;
  if (!/^[-+]?\d+$/.test(text)) {
    cx.sink.error(
      'CFG_INVALID_NUMBER',
      word.at,
      `invalid number '${text}': expected an integer from ${min} to ${max}${semicolonHint(text)}`,
    );
    return undefined;
  }
  const n = Number(text);
  if (n < min || n > max) {
    cx.sink.error(
      'CFG_OUT_OF_RANGE',
      word.at,
      `${text} is out of range: expected ${min} to ${max}`,
    );
    return undefined;
  }
  return n;
}

/** Seconds with an optional fraction, rounded to microseconds. */
export function timer(word: Word, cx: Cx, min: number, max: number): number | undefined {
  const text = word.text;
  if (!/^\d+(\.\d*)?$|^\.\d+$/.test(text)) {
    cx.sink.error(
      'CFG_INVALID_NUMBER',
      word.at,
      `invalid time '${text}': expected seconds, e.g. 3 or 2.5${semicolonHint(text)}`,
    );
    return undefined;
  }
  const n = Math.round(Number(text) * 1e6) / 1e6;
  if (n < min || n > max) {
    cx.sink.error(
      'CFG_OUT_OF_RANGE',
      word.at,
      `${text} is out of range: expected ${min} to ${max} seconds`,
    );
    return undefined;
  }
  return n;
}

const TRUE = new Set(['on', 'true', 'yes']);
const FALSE = new Set(['off', 'false', 'no']);

/** The keyword alone is true; otherwise one of on|off|true|false|yes|no. */
export function bool(st: Statement, cx: Cx): boolean | undefined {
  if (!arity(st, cx, 0, 1, '[on|off]')) return undefined;
  const w = st.args[0];
  if (w === undefined) return true;
  const v = w.text.toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  cx.sink.error(
    'CFG_INVALID_VALUE',
    w.at,
    `'${w.text}' is not a boolean: use on or off (or true/false, yes/no)`,
  );
  return undefined;
}

export function oneOf<T extends string>(
  word: Word,
  cx: Cx,
  values: readonly T[],
  what: string,
  caseInsensitive = false,
): T | undefined {
  const text = caseInsensitive ? word.text.toUpperCase() : word.text;
  const found = values.find((v) => (caseInsensitive ? v.toUpperCase() : v) === text);
  if (found !== undefined) return found;
  cx.sink.error(
    'CFG_INVALID_VALUE',
    word.at,
    `invalid ${what} '${word.text}': expected one of ${values.join(', ')}${semicolonHint(word.text)}`,
  );
  return undefined;
}

export function ip(word: Word, cx: Cx, family?: Family): IpAddress | undefined {
  const a = parseIp(word.text);
  if (a === undefined) {
    cx.sink.error(
      'CFG_INVALID_ADDRESS',
      word.at,
      `'${word.text}' is not a valid IP address${word.text.includes('/') ? ' (a prefix length is not allowed here)' : ''}${semicolonHint(word.text)}`,
    );
    return undefined;
  }
  if (family !== undefined && a.family !== family) {
    cx.sink.error(
      'CFG_INVALID_ADDRESS',
      word.at,
      `'${word.text}' is an ${a.family === 'inet' ? 'IPv4' : 'IPv6'} address; an ${family === 'inet' ? 'IPv4' : 'IPv6'} address is needed here`,
    );
    return undefined;
  }
  return a;
}

export function prefix(word: Word, cx: Cx): IpPrefix | undefined {
  const p = parsePrefix(word.text);
  if (p === undefined) {
    cx.sink.error(
      'CFG_INVALID_ADDRESS',
      word.at,
      `'${word.text}' is not a valid address or ADDRESS/PREFIX-LENGTH${semicolonHint(word.text)}`,
    );
  }
  return p;
}

export function port(word: Word, cx: Cx): number | undefined {
  return integer(word, cx, 0, 65535);
}

/**
 * Splits a command line as keepalived does for script keywords: single and double quotes
 * group words, backslash escapes (\n, \t, \xHH, \NNN octal, \C literal) are honoured.
 */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const ch = command[i] ?? '';
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < command.length) {
        const [s, n] = unescape(command, i + 1);
        cur += s;
        i = n - 1;
      } else cur += ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === ' ' || ch === '\t') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else if (ch === '\\' && i + 1 < command.length) {
      const [s, n] = unescape(command, i + 1);
      cur += s;
      i = n - 1;
      inWord = true;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

const ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  E: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/** Decodes the escape starting at index i (after the backslash); returns text and next index. */
function unescape(s: string, i: number): [string, number] {
  const ch = s[i] ?? '';
  const simple = ESCAPES[ch];
  if (simple !== undefined) return [simple, i + 1];
  if (ch === 'x') {
    const m = /^[0-9a-fA-F]{1,2}/.exec(s.slice(i + 1));
    if (m !== null) return [String.fromCharCode(parseInt(m[0], 16)), i + 1 + m[0].length];
  }
  const oct = /^[0-7]{1,3}/.exec(s.slice(i));
  if (oct !== null) return [String.fromCharCode(parseInt(oct[0], 8) & 255), i + oct[0].length];
  if (ch === 'c' && i + 1 < s.length) {
    return [String.fromCharCode((s.charCodeAt(i + 1) & 0x1f) >>> 0), i + 2];
  }
  return [ch, i + 1];
}

/** `"CMD ARGS" [user [group]]`: the command is one (usually quoted) word. */
export function script(st: Statement, cx: Cx): ScriptSpec | undefined {
  if (!arity(st, cx, 1, 3, '"COMMAND ARGS" [USER [GROUP]]')) return undefined;
  const [cmd, user, group] = st.args;
  if (cmd === undefined) return undefined;
  const argv = shellWords(cmd.text);
  if (argv.length === 0) {
    cx.sink.error('CFG_MISSING_ARGUMENT', cmd.at, `'${st.keyword.text}' needs a command`);
    return undefined;
  }
  return {
    command: cmd.text,
    argv,
    ...(user === undefined ? {} : { user: user.text }),
    ...(group === undefined ? {} : { group: group.text }),
  };
}
