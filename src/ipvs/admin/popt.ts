// A scanner with popt's reading of an argv, which is what gives ipvsadm its command-line
// grammar: short options cluster (`-Ln`) and take the rest of the cluster as their argument
// (`-p360`, `-p=360`); long options need two dashes and take `--opt=value` or the next word;
// an optional argument (-p) takes the next word only if it does not start with '-'; a required
// one takes the next word whatever it is; words that are not options are kept as leftovers
// (the `--set` values) and `--` makes everything after it a leftover. There are no
// abbreviations of long options. Errors carry popt's wording ("unknown option", …).

import { OPTION_DEFS } from './options.js';
import type { OptionDef } from './options.js';

export type PoptEvent =
  | { readonly kind: 'option'; readonly def: OptionDef; readonly arg: string | undefined }
  | { readonly kind: 'end' }
  | { readonly kind: 'error'; readonly message: string };

const POPT_ERRORS = {
  noarg: 'missing argument',
  badopt: 'unknown option',
  unwantedarg: 'option does not take an argument',
} as const;

function byShort(ch: string): OptionDef | undefined {
  return OPTION_DEFS.find((d) => d.short === ch);
}

function byLong(name: string): OptionDef | undefined {
  return OPTION_DEFS.find((d) => d.long === name);
}

export interface PoptScanner {
  /** The next option, the end of the options, or popt's error. */
  next(): PoptEvent;
  /** popt's poptBadOption: the argv word read last (the one an error is about). */
  lastWord(): string;
  /** The next leftover (non-option) word, as poptGetArg hands them out. */
  takeLeftover(): string | undefined;
}

/** popt's context over one argv (without the program name). */
export function poptScanner(argv: readonly string[]): PoptScanner {
  let next = 0;
  /** Rest of a short-option cluster still to be read. */
  let cluster: string | undefined;
  let restLeftover = false;
  const leftovers: string[] = [];

  const lastWord = (): string => argv[next - 1] ?? '';
  const error = (code: keyof typeof POPT_ERRORS): PoptEvent => ({
    kind: 'error',
    message: `${lastWord()}: ${POPT_ERRORS[code]}`,
  });

  /** The argument of `def` from the next word, when the option's own word had none. */
  const argFromNextWord = (def: OptionDef): PoptEvent => {
    const word = argv[next];
    if (word === undefined) {
      return def.arg === 'optional' ? { kind: 'option', def, arg: undefined } : error('noarg');
    }
    if (def.arg === 'optional' && word.startsWith('-')) {
      return { kind: 'option', def, arg: undefined };
    }
    next++;
    return { kind: 'option', def, arg: word };
  };

  const fromCluster = (text: string): PoptEvent => {
    const def = byShort(text.charAt(0));
    const rest = text.slice(1);
    cluster = undefined;
    if (def === undefined) return error('badopt');
    if (def.arg === 'none') {
      if (rest !== '') cluster = rest;
      return { kind: 'option', def, arg: undefined };
    }
    if (rest !== '')
      return { kind: 'option', def, arg: rest.startsWith('=') ? rest.slice(1) : rest };
    return argFromNextWord(def);
  };

  const nextEvent = (): PoptEvent => {
    for (;;) {
      if (cluster !== undefined) return fromCluster(cluster);
      const word = argv[next];
      if (word === undefined) return { kind: 'end' };
      next++;
      if (restLeftover || !word.startsWith('-') || word === '-') {
        leftovers.push(word);
        continue;
      }
      if (word === '--') {
        restLeftover = true;
        continue;
      }
      if (!word.startsWith('--')) {
        // A single dash never names a long option in ipvsadm's table: it is a cluster.
        cluster = word.slice(1);
        continue;
      }
      const body = word.slice(2);
      const eq = body.indexOf('=');
      const def = byLong(eq < 0 ? body : body.slice(0, eq));
      if (def === undefined) return error('badopt');
      const inline = eq < 0 ? undefined : body.slice(eq + 1);
      if (def.arg === 'none') {
        return inline === undefined
          ? { kind: 'option', def, arg: undefined }
          : error('unwantedarg');
      }
      if (inline !== undefined) return { kind: 'option', def, arg: inline };
      return argFromNextWord(def);
    }
  };

  return { next: nextEvent, lastWord, takeLeftover: () => leftovers.shift() };
}
