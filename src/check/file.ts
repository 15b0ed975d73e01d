// FILE_CHECK (keepalived check_file.c with track_file.c process_track_file and
// process_update_checker_track_file_status; keepalived.conf(5) track_file, FILE_CHECK). One
// "attempt" reads the tracked file; keepalived reacts to inotify instead, so the runner decides
// how often to call this (each delay_loop, or on a watch). The exact mapping:
//
// - value v: the file's first 127 bytes read like strtol(buf, NULL, 0) (leading blanks, sign,
//   0x hex, leading-0 octal, else decimal; no digits ⇒ 0). A missing, unreadable or empty file
//   is 0. A number outside [-2^31, 2^31] is logged and ignored: the previous value stands.
// - weight w and reverse: the FILE_CHECK's own `weight W [reverse]`, else the track_file's
//   (default weight 1, not reversed). m = reverse ? −1 : 1.
// - w = 0: up when v = 0, down otherwise; reverse swaps the two (down when v = 0).
// - w ≠ 0: s = v × w × m, clamped to 32 bits. s = −2^31 means down (keepalived's
//   IPVS_WEIGHT_FAULT); any other s is up with the real server's weight raised by s (lowered when
//   negative): the RS weight becomes clamp(realServerWeight + s, 0, 2^31 − 1). Without
//   realServerWeight the verdict carries no weight (fileVerdict gives the offset).
//
// `dynamic` (in our model) has no counterpart in keepalived 2.2's check_file.c, where a non-zero
// weight always moves the RS weight; it is accepted and has no further effect here.

import { open } from 'node:fs/promises';
import type { FileCheck, TrackFile } from '../config/model.js';
import type { Probe, ProbeResult } from './probe.js';

export interface FileProbeOptions {
  /** The real server's configured weight; with it, verdicts carry the resulting weight. */
  readonly realServerWeight?: number;
}

export type FileVerdict = { readonly up: true; readonly offset: number } | { readonly up: false };

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const READ_MAX = 127; // track_file.c reads into char buf[128]

/** strtol(text, NULL, 0) over a JS number; undefined when the number is out of range. */
export function parseTrackValue(text: string): number | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)?/.exec(text);
  const digits = m?.[2];
  if (digits === undefined) return 0;
  let n: number;
  if (/^0[xX]/.test(digits)) n = parseInt(digits.slice(2), 16);
  else if (digits.startsWith('0')) n = digits.length === 1 ? 0 : parseInt(digits.slice(1), 8);
  else n = Number(digits);
  if (m?.[1] === '-') n = -n;
  return n < INT32_MIN || n > INT32_MAX + 1 ? undefined : n;
}

/** The state and weight offset keepalived derives from value v. */
export function fileVerdict(v: number, weight: number, reverse: boolean): FileVerdict {
  if (weight === 0) return (v !== 0) !== reverse ? { up: false } : { up: true, offset: 0 };
  const s = Math.min(INT32_MAX, Math.max(INT32_MIN, v * weight * (reverse ? -1 : 1)));
  return s === INT32_MIN ? { up: false } : { up: true, offset: s };
}

async function readHead(path: string): Promise<string> {
  try {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(READ_MAX);
      const { bytesRead } = await fh.read(buf, 0, READ_MAX, 0);
      return buf.subarray(0, bytesRead).toString('latin1');
    } finally {
      await fh.close();
    }
  } catch {
    return '';
  }
}

export function fileProbe(
  check: FileCheck,
  trackFile: TrackFile | undefined,
  opts: FileProbeOptions = {},
): Probe {
  const weight = check.weight ?? trackFile?.weight ?? 1;
  const reverse =
    check.weight !== undefined ? check.weightReverse : (trackFile?.weightReverse ?? false);
  let last = 0;
  return async (target) => {
    const name = `(${target.label}): tracked file ${check.trackFile}`;
    if (trackFile === undefined) {
      return { ok: false, failure: 'error', message: `track_file ${check.trackFile} not found` };
    }
    const text = await readHead(trackFile.file);
    const value = parseTrackValue(text);
    let note = '';
    if (value === undefined) {
      note = ` (Invalid number ${text.trim()} read from ${trackFile.file} - ignoring)`;
    } else {
      last = value;
    }
    const verdict = fileVerdict(last, weight, reverse);
    if (!verdict.up) {
      return { ok: false, failure: 'error', message: `${name} now FAULT state${note}` };
    }
    const result: ProbeResult = { ok: true, message: `${name} value ${last}${note}` };
    if (opts.realServerWeight === undefined) return result;
    const w = Math.min(INT32_MAX, Math.max(0, opts.realServerWeight + verdict.offset));
    return { ...result, weight: w };
  };
}
