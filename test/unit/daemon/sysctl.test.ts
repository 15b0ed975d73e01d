import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hostSysctls, parseSysctlArg } from '../../../src/daemon/sysctl.js';

test('--sysctl takes sysctl(8) names with or without the net.ipv4.vs prefix', () => {
  assert.deepEqual(parseSysctlArg('net.ipv4.vs.expire_nodest_conn=1'), {
    ok: true,
    value: { expireNodestConn: true },
  });
  assert.deepEqual(parseSysctlArg('conn_reuse_mode=0'), { ok: true, value: { connReuseMode: 0 } });
  assert.deepEqual(parseSysctlArg('net/ipv4/vs/sloppy_tcp=1'), {
    ok: true,
    value: { sloppyTcp: true },
  });
});

test('--sysctl rejects unknown names and malformed values with the list of names', () => {
  for (const bad of ['net.ipv4.vs.nosuch=1', 'expire_nodest_conn', 'expire_nodest_conn=yes']) {
    const r = parseSysctlArg(bad);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.message, /expire_nodest_conn, expire_quiescent_template/);
  }
});

test('host values are read from the kernel directory when present, absent ones left out', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sysctl-'));
  writeFileSync(join(dir, 'expire_nodest_conn'), '1\n');
  writeFileSync(join(dir, 'conn_reuse_mode'), '2\n');
  assert.deepEqual(hostSysctls(dir), { expireNodestConn: true, connReuseMode: 2 });
  assert.deepEqual(hostSysctls(join(dir, 'missing')), {});
});
