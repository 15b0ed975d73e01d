// Pattern expansion for `include` (keepalived passes the pattern to glob(3) with GLOB_BRACE):
// `{a,b}` alternatives, then `*`, `?` and `[...]` per path segment. Matches are sorted, a
// leading dot is matched only by a pattern segment that starts with a dot, as glob(3) does.

import type { ConfigFs } from './config-fs.js';

export function hasMagic(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/** Expands the first `{…,…}` group recursively: `a{b,c}d` → `abd`, `acd`. */
export function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) return [pattern];
  let depth = 0;
  const commas: number[] = [];
  for (let i = open; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '{') depth++;
    else if (ch === '}') {
      depth--;
      if (depth === 0) {
        if (commas.length === 0) return [pattern];
        const head = pattern.slice(0, open);
        const tail = pattern.slice(i + 1);
        const cuts = [open, ...commas, i];
        const out: string[] = [];
        for (let k = 0; k + 1 < cuts.length; k++) {
          const alt = pattern.slice((cuts[k] ?? 0) + 1, cuts[k + 1]);
          out.push(...expandBraces(`${head}${alt}${tail}`));
        }
        return out;
      }
    } else if (ch === ',' && depth === 1) commas.push(i);
  }
  return [pattern];
}

function segmentRegex(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i] ?? '';
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) re += '\\[';
      else {
        let body = segment.slice(i + 1, close).replace(/\\/g, '\\\\');
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        re += `[${body}]`;
        i = close;
      }
    } else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Files matching an absolute pattern, sorted. */
export function glob(pattern: string, fs: ConfigFs): string[] {
  const out = new Set<string>();
  for (const alt of expandBraces(pattern)) {
    let current = ['/'];
    for (const segment of alt.split('/').filter((s) => s !== '')) {
      const next: string[] = [];
      for (const dir of current) {
        const base = dir === '/' ? '' : dir;
        if (!hasMagic(segment)) {
          next.push(`${base}/${segment}`);
          continue;
        }
        let names: string[];
        try {
          names = fs.readdir(dir);
        } catch {
          continue;
        }
        const re = segmentRegex(segment);
        for (const name of names.sort()) {
          if (name.startsWith('.') && !segment.startsWith('.')) continue;
          if (re.test(name)) next.push(`${base}/${name}`);
        }
      }
      current = next;
    }
    for (const p of current) if (fs.kind(p) === 'file') out.add(p);
  }
  return [...out].sort();
}
