// Property tests: random and mutated configurations never crash the compiler; they only
// produce diagnostics, and every diagnostic has a known code and a sane position.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { compileConfig, DIAGNOSTIC_CODES, memoryFs } from '../../../src/config/index.js';
import { FIXTURES } from '../../helpers/paths.js';

const seeds = readdirSync(join(FIXTURES, 'config'))
  .filter((f) => f.endsWith('.conf'))
  .map((f) => readFileSync(join(FIXTURES, 'config', f), 'utf8'));

function check(text: string): void {
  const r = compileConfig('/k.conf', {
    hostname: 'h',
    user: 'u',
    fs: memoryFs({ '/k.conf': text, '/x.conf': text.slice(0, 200) }),
    random: () => 0,
  });
  for (const d of r.diagnostics) {
    assert.ok(d.code in DIAGNOSTIC_CODES, d.code);
    if (d.at !== undefined) assert.ok(d.at.line >= 1 && d.at.column >= 1);
  }
  JSON.stringify(r.config);
}

const tokens = [
  '{',
  '}',
  '"',
  '#',
  '!',
  '$A=1',
  '$A',
  '${A}',
  '@h',
  '@^h',
  '~SEQ(i,1,3)',
  '~LST(i,a,b)',
  'include x.conf',
  'include *.conf',
  'virtual_server',
  'real_server',
  'vrrp_instance',
  'global_defs',
  'TCP_CHECK',
  'HTTP_GET',
  'url',
  'weight',
  '10.0.0.1',
  '80',
  '-1',
  '1e9',
  'fwmark',
  'group',
  '\n',
  ' ',
  '//',
  ';',
  '\\',
  'virtual_ipaddress',
  'track_script',
  'lb_algo',
  'rr',
];

test('random token soup never throws', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...tokens), { maxLength: 80 }), (parts) =>
      check(parts.join(' ')),
    ),
    { numRuns: 400 },
  );
});

test('random bytes never throw', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), (s) => check(s)),
    { numRuns: 300 },
  );
});

test('mutated seed configs never throw', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...seeds),
      fc.array(
        fc.tuple(
          fc.nat(),
          fc.nat(8),
          fc.constantFrom('', '{', '}', '"', '#', 'x', '\n', '$', '~SEQ('),
        ),
        { maxLength: 6 },
      ),
      (seed, edits) => {
        let text = seed;
        for (const [at, del, ins] of edits) {
          const i = at % (text.length + 1);
          text = text.slice(0, i) + ins + text.slice(i + del);
        }
        check(text);
      },
    ),
    { numRuns: 300 },
  );
});
