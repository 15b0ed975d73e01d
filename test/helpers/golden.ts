// Golden-file comparison (house style §8: Node 20 has no snapshots). The expected text lives
// in test/fixtures/…; `UPDATE_GOLDEN=1` rewrites the file from the actual output instead of
// comparing. Paths are resolved from the repository root, so the compiled test in build/ reads
// the source fixture. Expected files are written by hand: regenerate only after checking a diff.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** build/test/helpers → repository root, or test/helpers → root when run from source. */
const root = here.includes('/build/') ? join(here, '..', '..', '..') : join(here, '..', '..');

export function fixturePath(relative: string): string {
  return join(root, 'test', 'fixtures', relative);
}

export function readFixture(relative: string): string {
  return readFileSync(fixturePath(relative), 'utf8');
}

/** Compare `actual` with the golden file byte for byte (or rewrite it under UPDATE_GOLDEN=1). */
export function assertGolden(actual: string, relative: string): void {
  const path = fixturePath(relative);
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(path, actual);
    return;
  }
  assert.equal(actual, readFileSync(path, 'utf8'), `golden mismatch: ${relative}`);
}
