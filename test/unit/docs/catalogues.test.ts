import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderCatalogues } from '../../../src/daemon/catalogue-docs.js';
import { REPO } from '../../helpers/paths.js';

test('the generated docs (catalogues, config reference, quickstart.conf) match the code', () => {
  for (const [path, text] of Object.entries(renderCatalogues())) {
    assert.equal(
      readFileSync(join(REPO, path), 'utf8'),
      text,
      `${path} is out of date: run npm run docs:gen`,
    );
  }
});
