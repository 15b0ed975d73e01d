// Golden tests: the exact diagnostics tandem prints for the seed documents' configurations,
// and the compiled model of one of them (every default resolved).
import assert from 'node:assert/strict';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { compileConfig, formatDiagnostics, summarize } from '../../../src/config/index.js';
import { assertGolden } from '../../helpers/golden.js';
import { FIXTURES } from '../../helpers/paths.js';

const DIR = join(FIXTURES, 'config');
const HOST = { hostname: 'director1', user: 'root', interfaces: new Set(['lo', 'eth0']) };

const seeds = [
  ['seed000-master.conf', true],
  ['seed000-backup.conf', true],
  ['seed001-mycat-master.conf', false],
  ['seed003-netseek-master.conf', true],
] as const;

for (const [file, valid] of seeds) {
  test(`${file}: ${valid ? 'accepted with notes only' : 'rejected'}, diagnostics as golden`, () => {
    const r = compileConfig(join(DIR, file), HOST);
    assert.equal(r.ok, valid);
    if (valid) assert.ok(r.diagnostics.every((d) => d.severity !== 'error'));
    const text = `${formatDiagnostics(r.diagnostics, { displayPath: basename })}${summarize(r.diagnostics)}\n`;
    assertGolden(text, join(DIR, 'golden', `${file}.diagnostics.txt`));
  });
}

test('seed000-master.conf compiles to the expected model', () => {
  const r = compileConfig(join(DIR, 'seed000-master.conf'), HOST);
  const json = JSON.stringify(
    r.config,
    (k, v: unknown) => (k === 'file' ? basename(String(v)) : v),
    2,
  );
  assertGolden(`${json}\n`, join(DIR, 'golden', 'seed000-master.model.json'));
  const vs = r.config.virtualServers[0];
  assert.equal(vs?.lvsSched, 'rr');
  assert.equal(vs?.lvsMethod, 'DR');
  assert.equal(vs?.persistenceTimeout, undefined, 'persistence_timeout 0 means no persistence');
  const check = vs?.realServers[0]?.checkers[0];
  assert.ok(check?.type === 'TCP_CHECK');
  assert.equal(check.retry, 3, 'nb_get_retry is retry');
  assert.equal(check.delayLoop, 6, 'delay_loop is inherited from the virtual_server');
  assert.equal(check.connectTimeout, 3);
  assert.equal(check.warmup, 6, 'warmup defaults to delay_loop');
  assert.equal(r.config.global.routerId, 'LVS_DEVEL');
  assert.deepEqual(r.config.global.notificationEmail, [
    'admin@laiwojia.la',
    'boss@laiwojia.la',
    'cto@laiwojia.la',
  ]);
  assert.equal(r.config.vrrpInstances[0]?.authentication?.authPass, '1111');
});

test('seed001 reports each problem at its line with an explanation', () => {
  const r = compileConfig(join(DIR, 'seed001-mycat-master.conf'), HOST);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(
    errors.map((d) => [d.code, d.at?.line, d.at?.column]),
    [
      ['CFG_MISPLACED_KEYWORD', 41, 1],
      ['CFG_SLASH_COMMENT', 41, 32],
      ['CFG_MISPLACED_KEYWORD', 50, 1],
      ['CFG_SLASH_COMMENT', 50, 34],
      ['CFG_EXTRA_BRACE', 59, 1],
    ],
  );
  const first = errors[0];
  assert.equal(first?.notes[0]?.at?.line, 40, 'points at the } that closed the virtual_server');
  // The one real server inside the virtual_server is still compiled.
  assert.equal(r.config.virtualServers[0]?.realServers.length, 1);
});
