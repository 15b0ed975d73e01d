// Builders for the common keyword shapes, so that each table entry is one declaration:
// keyword, range or value set, documentation, and where the value goes in the draft.

import type { IpAddress } from '../../lib/inet.js';
import type { ScriptSpec } from '../model.js';
import type { Statement } from '../parser.js';
import { keyword, type Alias, type Cx, type Keyword, type KeywordStatus } from '../schema.js';
import { arity, bool, integer, ip, oneOf, script, timer } from '../values.js';

/** A mutable, partial view of a model type: what a block builds before it is finished. */
export type Draft<T> = { -readonly [K in keyof T]?: T[K] | undefined };

/**
 * Drops the undefined fields of a finished draft. The caller has filled every required field;
 * the model's optional fields must be absent rather than undefined (exactOptionalPropertyTypes).
 */
export function compact<T>(draft: { readonly [K in keyof T]?: T[K] | undefined }): T {
  // for…in rather than Object.entries: no [key, value] pair per field (drafts are plain
  // objects, so only own fields are enumerated).
  const out: Record<string, unknown> = {};
  const src = draft as Record<string, unknown>;
  for (const k in src) {
    const v = src[k];
    if (v !== undefined) out[k] = v;
  }
  return out as T;
}

export interface Extra {
  readonly aliases?: readonly Alias[];
  readonly status?: KeywordStatus;
  readonly repeatable?: boolean;
  readonly deprecated?: { readonly message: string; readonly severity: 'note' | 'warning' };
}

function one<D, T>(
  name: string,
  syntax: string,
  doc: string,
  parse: (st: Statement, cx: Cx) => T | undefined,
  set: (d: D, v: T, st: Statement, cx: Cx) => void,
  extra: Extra,
  range?: { readonly min: number; readonly max: number },
): Keyword<D> {
  return keyword<D>({
    name,
    syntax,
    doc,
    ...extra,
    ...(range === undefined ? {} : { range }),
    apply: (d, st, cx) => {
      const v = parse(st, cx);
      if (v !== undefined) set(d, v, st, cx);
    },
  });
}

export function int<D>(
  name: string,
  min: number,
  max: number,
  doc: string,
  set: (d: D, v: number, st: Statement, cx: Cx) => void,
  extra: Extra = {},
): Keyword<D> {
  const syntax = `${min}..${max}`;
  return one(
    name,
    syntax,
    doc,
    (st, cx) => {
      if (!arity(st, cx, 1, 1, syntax) || st.args[0] === undefined) return undefined;
      return integer(st.args[0], cx, min, max);
    },
    set,
    extra,
    { min, max },
  );
}

export function seconds<D>(
  name: string,
  min: number,
  max: number,
  doc: string,
  set: (d: D, v: number, st: Statement, cx: Cx) => void,
  extra: Extra = {},
): Keyword<D> {
  return one(
    name,
    'SECONDS',
    doc,
    (st, cx) => {
      if (!arity(st, cx, 1, 1, 'SECONDS') || st.args[0] === undefined) return undefined;
      return timer(st.args[0], cx, min, max);
    },
    set,
    extra,
    { min, max },
  );
}

export function flag<D>(
  name: string,
  doc: string,
  set: (d: D, v: boolean, st: Statement, cx: Cx) => void,
  extra: Extra = {},
): Keyword<D> {
  return one(name, '[on|off]', doc, bool, set, extra);
}

export function text<D>(
  name: string,
  syntax: string,
  doc: string,
  set: (d: D, v: string, st: Statement, cx: Cx) => void,
  extra: Extra = {},
): Keyword<D> {
  return one(
    name,
    syntax,
    doc,
    (st, cx) => (arity(st, cx, 1, 1, syntax) ? st.args[0]?.text : undefined),
    set,
    extra,
  );
}

export function address<D>(
  name: string,
  doc: string,
  set: (d: D, v: IpAddress, st: Statement, cx: Cx) => void,
  extra: Extra = {},
): Keyword<D> {
  return one(
    name,
    'IP',
    doc,
    (st, cx) => {
      if (!arity(st, cx, 1, 1, 'IP') || st.args[0] === undefined) return undefined;
      return ip(st.args[0], cx);
    },
    set,
    extra,
  );
}

export function choice<D, T extends string>(
  name: string,
  values: readonly T[],
  doc: string,
  set: (d: D, v: T, st: Statement, cx: Cx) => void,
  extra: Extra & { readonly caseInsensitive?: boolean } = {},
): Keyword<D> {
  const syntax = values.join('|');
  return one(
    name,
    syntax,
    doc,
    (st, cx) => {
      if (!arity(st, cx, 1, 1, syntax) || st.args[0] === undefined) return undefined;
      return oneOf(st.args[0], cx, values, `value for '${name}'`, extra.caseInsensitive);
    },
    set,
    extra,
  );
}

export function command<D>(
  name: string,
  doc: string,
  set: (d: D, v: ScriptSpec, st: Statement, cx: Cx) => void,
  extra: Extra = {},
): Keyword<D> {
  return one(name, '"COMMAND ARGS" [USER [GROUP]]', doc, script, set, extra);
}

/** The builders above with the draft type fixed, so table entries need no annotations. */
export function builders<D>(): {
  int: typeof int<D>;
  seconds: typeof seconds<D>;
  flag: typeof flag<D>;
  text: typeof text<D>;
  address: typeof address<D>;
  choice: <T extends string>(
    name: string,
    values: readonly T[],
    doc: string,
    set: (d: D, v: T, st: Statement, cx: Cx) => void,
    extra?: Extra & { readonly caseInsensitive?: boolean },
  ) => Keyword<D>;
  command: typeof command<D>;
} {
  return { int, seconds, flag, text, address, choice, command };
}

/** The checker timing fields; set in a checker, or as defaults in real_server / virtual_server. */
export interface CheckTiming {
  connectTimeout?: number | undefined;
  delayLoop?: number | undefined;
  retry?: number | undefined;
  delayBeforeRetry?: number | undefined;
  warmup?: number | undefined;
  alpha?: boolean | undefined;
}

/**
 * connect_timeout, delay_loop, retry (old name nb_get_retry), delay_before_retry, warmup and
 * alpha: one definition for checkers and for the defaults their servers hand down.
 */
export function timingKeywords<D extends CheckTiming>(): Keyword<D>[] {
  const b = builders<D>();
  return [
    b.seconds(
      'connect_timeout',
      0.001,
      3600,
      'Seconds allowed for one check attempt (5).',
      (d, v) => (d.connectTimeout = v),
    ),
    b.seconds(
      'delay_loop',
      0.001,
      86400,
      'Seconds between checks (60).',
      (d, v) => (d.delayLoop = v),
    ),
    b.int(
      'retry',
      0,
      1000,
      'Retries before a server is declared down (per checker type).',
      (d, v) => (d.retry = v),
      {
        aliases: [
          {
            name: 'nb_get_retry',
            message: "'nb_get_retry' is the old name of 'retry'",
            severity: 'note',
          },
        ],
      },
    ),
    b.seconds(
      'delay_before_retry',
      0,
      3600,
      'Seconds between retries.',
      (d, v) => (d.delayBeforeRetry = v),
    ),
    b.seconds(
      'warmup',
      0,
      86400,
      'Random delay (0..N s) before the first check (delay_loop).',
      (d, v) => (d.warmup = v),
    ),
    b.flag('alpha', 'Start with the server down until a check passes.', (d, v) => (d.alpha = v)),
  ];
}
