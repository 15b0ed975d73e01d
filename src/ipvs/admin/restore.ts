// `ipvsadm -R`: commands read one per line (shared/reference/ipvs.md §6.1), the inverse of
// `-S` (render/save.ts). Lines split on blanks; any word "ipvsadm" is dropped (so both
// `-A -t …` and `ipvsadm -A -t …` work); lines with no other word are skipped. Like ipvsadm,
// '#' does not start a comment (its config_stream checks for one in the wrong buffer), so a
// comment line is an error. ipvsadm stops at the first line it fails on, after running the
// lines before it: the result keeps those commands and names the failing line.

import type { IpvsadmCommand, IpvsadmError } from './command.js';
import { parseIpvsadmArgs } from './parse.js';
import type { ParseOptions } from './parse.js';

export interface RestoreLine {
  /** 1-based line number in the input. */
  readonly line: number;
  readonly command: IpvsadmCommand;
}

export type RestoreResult =
  | { readonly ok: true; readonly commands: readonly RestoreLine[] }
  | {
      readonly ok: false;
      /** The commands of the lines before the failing one (ipvsadm has run them). */
      readonly commands: readonly RestoreLine[];
      readonly line: number;
      readonly error: IpvsadmError;
    };

/** The words of each line, as ipvsadm's config_stream_read splits them. */
export function restoreWords(text: string): string[][] {
  return text
    .split('\n')
    .map((line) => line.split(/[ \t\r]+/).filter((w) => w !== '' && w !== 'ipvsadm'));
}

/**
 * Parse `-R` input. The error message is prefixed with the line number
 * (`line 3: illegal weight specified`); `error.exitCode` is ipvsadm's.
 */
export function parseRestore(text: string, options: ParseOptions = {}): RestoreResult {
  const commands: RestoreLine[] = [];
  const lines = restoreWords(text);
  for (const [i, words] of lines.entries()) {
    if (words.length === 0) continue;
    const line = i + 1;
    const parsed = parseIpvsadmArgs(words, { ...options, restoring: true });
    if (!parsed.ok) {
      const error = { ...parsed.error, message: `line ${line}: ${parsed.error.message}` };
      return { ok: false, commands, line, error };
    }
    commands.push({ line, command: parsed.command });
  }
  return { ok: true, commands };
}
