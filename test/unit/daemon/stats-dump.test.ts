// SIGUSR2's stats file in keepalived 2.2.7's layout (checked against a real dump), with rejected
// adverts summed into the line RX_REJECT_STATS names for each reason.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { renderStats } from '../../../src/daemon/stats-dump.js';
import type { EngineStatus } from '../../../src/vrrp/index.js';
import { newInstanceStats } from '../../../src/vrrp/instance-data.js';
import { assertGolden } from '../../helpers/golden.js';
import { REPO } from '../../helpers/paths.js';

function instance(name: string, vrid: number): EngineStatus['instances'][number] {
  return {
    name,
    state: 'MASTER',
    vrid,
    priority: 100,
    effectivePriority: 100,
    source: '10.0.0.1',
    vips: [],
    stats: newInstanceStats(),
  };
}

test('renderStats: one block per instance, counters and rejections in their lines', () => {
  const a = instance('VI_1', 51);
  Object.assign(a.stats, {
    advertsReceived: 12,
    advertsSent: 340,
    becameMaster: 2,
    releasedMaster: 1,
    priorityZeroReceived: 1,
    priorityZeroSent: 3,
  });
  Object.assign(a.stats.rejected, {
    length: 1,
    'ip-length': 2,
    ttl: 4,
    type: 5,
    interval: 6,
    'address-list': 7,
    'auth-type-invalid': 8,
    'auth-type-mismatch': 9,
    'auth-failure': 10,
    'auth-ah': 1,
    checksum: 99,
    version: 99,
  });
  const b = instance('VI_2', 52);
  const status: EngineStatus = {
    instances: [a, b],
    unknownVrid: 0,
    splitBrain: { active: [], probesSent: 0, episodes: 0 },
  };
  assertGolden(renderStats(status), join(REPO, 'test', 'unit', 'daemon', 'golden', 'stats.txt'));
});

test('renderStats without VRRP is empty, as keepalived writes no block', () => {
  assert.equal(renderStats(undefined), '');
});
