import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { StatusMetrics } from '../../../src/web/index.js';
import { REPO } from '../../helpers/paths.js';
import { parseProm } from '../../helpers/prom-parse.js';
import { fakeStatus } from '../../helpers/web-status.js';

test('docs/observability.md lists every tandem metric with its type, and no others', async () => {
  const m = new StatusMetrics({ status: () => Promise.resolve(fakeStatus()) });
  const families = parseProm(await m.scrape());
  m.close();
  const doc = readFileSync(join(REPO, 'docs', 'observability.md'), 'utf8');
  const documented = new Map(
    [...doc.matchAll(/^\| `(tandem_[a-z0-9_]+)` \| (counter|gauge) \|/gm)].map((r) => [
      r[1]!,
      r[2],
    ]),
  );
  const exported = [...families.values()].filter((f) => f.name.startsWith('tandem_'));
  for (const f of exported) assert.equal(documented.get(f.name), f.type, f.name);
  assert.deepEqual(
    [...documented.keys()].filter((n) => !families.has(n)),
    [],
    'documented but not exported',
  );
});
