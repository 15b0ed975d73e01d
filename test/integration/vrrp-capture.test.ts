// Reruns scripts/capture-vrrp.sh against the installed keepalived and checks that it still sends
// exactly the bytes of test/fixtures/vrrp/vectors.ts, and that every packet it sent decodes.
// The script makes and removes its own namespaces (trap on exit); its run is bounded here.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeAdvert } from '../../src/vrrp/packet.js';
import { fromHex, VECTORS } from '../fixtures/vrrp/vectors.js';
import { REPO } from '../helpers/paths.js';
import { requireRoot, requireTool } from '../helpers/tools.js';

test('keepalived 2.2.7 still sends the golden adverts', { timeout: 60_000 }, (t) => {
  if (!requireRoot(t, 'network namespaces for keepalived')) return;
  for (const tool of ['keepalived', 'tcpdump', 'ip']) if (!requireTool(t, tool)) return;
  const run = spawnSync('bash', [join(REPO, 'scripts', 'capture-vrrp.sh')], {
    encoding: 'utf8',
    timeout: 45_000,
  });
  assert.equal(run.status, 0, run.stderr);
  const packets = run.stdout
    .split('\n')
    .filter((l) => l.startsWith('ipv'))
    .map((l) => {
      const field = (k: string): string => new RegExp(`(?:^| )${k}=(\\S+)`).exec(l)?.[1] ?? '';
      return {
        family: l.startsWith('ipv4') ? 'inet' : 'inet6',
        src: field('src'),
        dst: field('dst'),
        hex: field('vrrp'),
      } as const;
    });
  assert.ok(packets.length >= VECTORS.length, run.stdout);
  const captured = new Set(packets.map((p) => p.hex));
  for (const v of VECTORS) assert.ok(captured.has(fromHex(v.hex).toString('hex')), v.name);
  for (const p of packets) {
    const hexAddr = (h: string): string => h.replace(/(.{4})(?!$)/g, '$1:');
    const ip = p.family === 'inet' ? p : { src: hexAddr(p.src), dst: hexAddr(p.dst) };
    const r = decodeAdvert(Buffer.from(p.hex, 'hex'), {
      family: p.family,
      src: ip.src,
      dst: ip.dst,
    });
    assert.ok(r.ok, `${p.hex}: ${JSON.stringify(r)}`);
  }
});
