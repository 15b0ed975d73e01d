import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderCatalogues } from '../../../src/daemon/catalogue-docs.js';
import { REPO } from '../../helpers/paths.js';

test('docs/errors.md and docs/diagnostics.md match the code catalogues', () => {
  for (const [path, text] of Object.entries(renderCatalogues())) {
    assert.equal(
      readFileSync(join(REPO, path), 'utf8'),
      text,
      `${path} is out of date: run npm run build && node scripts/gen-catalogues.mjs`,
    );
  }
});
