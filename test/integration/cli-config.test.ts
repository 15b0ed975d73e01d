// The tandem binary's config test: exit codes and where output goes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { FIXTURES, TANDEM } from '../helpers/paths.js';

const run = (...args: string[]) =>
  spawnSync(process.execPath, [TANDEM, ...args], { encoding: 'utf8' });

test('tandem -t accepts the three valid seed configs (exit 0)', () => {
  for (const f of ['seed000-master.conf', 'seed000-backup.conf', 'seed003-netseek-master.conf']) {
    const r = run('-t', '-f', join(FIXTURES, 'config', f));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /configuration is valid/);
    assert.doesNotMatch(r.stderr, /error:/);
  }
});

test('tandem -t rejects seed001 (exit 1) with file:line:col diagnostics', () => {
  const r = run('--config-test=' + join(FIXTURES, 'config', 'seed001-mycat-master.conf'));
  assert.equal(r.status, 1);
  assert.match(
    r.stderr,
    /seed001-mycat-master\.conf:41:32: error: '\/\/' does not start a comment/,
  );
  assert.match(r.stderr, /configuration is invalid \(5 errors/);
});

test('a missing file is an error, a bad flag a usage error', () => {
  const missing = run('-t', '-f', '/nonexistent/keepalived.conf');
  assert.equal(missing.status, 1);
  assert.match(
    missing.stderr,
    /cannot read configuration file '\/nonexistent\/keepalived.conf': no such file/,
  );
  const bad = run('--frobnicate');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /Try 'tandem --help'/);
});

test('--dump-config prints the model as JSON on stdout', () => {
  const r = run('--dump-config', '-f', join(FIXTURES, 'config', 'seed003-netseek-master.conf'));
  assert.equal(r.status, 0);
  const model = JSON.parse(r.stdout) as {
    virtualServers: { lvsSched: string; persistenceTimeout: number }[];
  };
  assert.equal(model.virtualServers[0]?.lvsSched, 'wrr');
  assert.equal(model.virtualServers[0]?.persistenceTimeout, 60);
});

test('--dump-table lists the configured table as ipvsadm -L -n', () => {
  const r = run('--dump-table', '-f', join(FIXTURES, 'config', 'seed003-netseek-master.conf'));
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    r.stdout,
    [
      'IP Virtual Server version 1.2.1 (size=4096)',
      'Prot LocalAddress:Port Scheduler Flags',
      '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
      'TCP  61.164.122.8:80 wrr persistent 60',
      '  -> 61.164.122.9:80              Route   3      0          0         ',
      '  -> 61.164.122.10:80             Route   3      0          0         ',
      '',
    ].join('\n'),
  );
});
