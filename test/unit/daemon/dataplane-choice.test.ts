// --dataplane: nft needs root and working nftables; auto takes nft when both hold and the
// configuration has nothing nft cannot program, else the proxy, saying why; -P never takes nft.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { choosePlane } from '../../../src/daemon/dataplane-choice.js';
import type { NftRunner } from '../../../src/dataplane/nft/index.js';

function fakeRunner(usable: boolean): () => NftRunner {
  return () => ({
    name: 'nft',
    apply: () => ({ ok: true, output: '' }),
    json: () => (usable ? { ok: true, output: '{"nftables": []}' } : { ok: false, error: 'EPERM' }),
    close: () => undefined,
  });
}

function conf(t: { after: (fn: () => void) => void }, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-choice-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'keepalived.conf');
  writeFileSync(file, text);
  return file;
}

const DR =
  'virtual_server 10.0.0.1 80 {\n  lb_kind DR\n  protocol TCP\n  real_server 10.0.1.1 80 { weight 1 }\n}\n';
const FWMARK =
  'virtual_server fwmark 4 {\n  lb_kind DR\n  real_server 10.0.1.1 80 { weight 1 }\n}\n';

test('nft: root and a working nftables, else an error', (t) => {
  const file = conf(t, DR);
  const ok = choosePlane({ dataplane: 'nft', file, uid: 0, runner: fakeRunner(true) });
  assert.equal(ok.ok && ok.kind, 'nft');
  const user = choosePlane({ dataplane: 'nft', file, uid: 1000, runner: fakeRunner(true) });
  assert.deepEqual(user, { ok: false, message: '--dataplane nft needs root (CAP_NET_ADMIN)' });
  const broken = choosePlane({ dataplane: 'nft', file, uid: 0, runner: fakeRunner(false) });
  assert.equal(broken.ok, false);
});

test('auto: nft when it can program the configuration, else the proxy with the reason', (t) => {
  const auto = (text: string, uid: number, usable = true) =>
    choosePlane({ dataplane: 'auto', file: conf(t, text), uid, runner: fakeRunner(usable) });
  const nft = auto(DR, 0);
  assert.equal(nft.ok && nft.kind, 'nft');
  assert.deepEqual(auto(DR, 1000), { ok: true, kind: 'proxy', why: 'not root' });
  assert.deepEqual(auto(DR, 0, false), { ok: true, kind: 'proxy', why: 'nftables is not usable' });
  assert.deepEqual(auto(FWMARK, 0), {
    ok: true,
    kind: 'proxy',
    why: 'the configuration has virtual servers nft cannot program',
  });
  const vrrpOnly = choosePlane({
    dataplane: 'auto',
    vrrpOnly: true,
    file: conf(t, DR),
    uid: 0,
    runner: fakeRunner(true),
  });
  assert.deepEqual(vrrpOnly, { ok: true, kind: 'proxy', why: '-P runs no virtual servers' });
  assert.deepEqual(choosePlane({ dataplane: 'proxy', file: '/nonexistent' }), {
    ok: true,
    kind: 'proxy',
  });
});
