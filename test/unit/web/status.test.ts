import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DaemonStatus } from '../../../src/daemon/status.js';
import type { StatusSource, WebStatus } from '../../../src/web/index.js';
import { destLabel, healthLookup, serviceKey } from '../../../src/web/status.js';

// Compile-time: the daemon's status function is a StatusSource as it is (the lead wires
// `status: () => daemon.status()` without adapting it).
const fromDaemon = (s: () => Promise<DaemonStatus>): StatusSource => s;
const asWeb = (s: DaemonStatus): WebStatus => s;

test('the daemon status is assignable to the web status', () => {
  assert.equal(typeof fromDaemon, 'function');
  assert.equal(typeof asWeb, 'function');
});

test('service keys spell the configuration reload keys', () => {
  const base = {
    fwmark: 0,
    family: 'inet',
    protocol: 'TCP',
    address: '10.0.0.1',
    port: 80,
  } as const;
  assert.equal(serviceKey(base), 'tcp:10.0.0.1:80');
  assert.equal(
    serviceKey({ ...base, family: 'inet6', address: '2001:db8::1', protocol: 'UDP' }),
    'udp:[2001:db8::1]:80',
  );
  assert.equal(serviceKey({ fwmark: 5, family: 'inet', port: 0 }), 'fwmark:5');
  assert.equal(serviceKey({ fwmark: 5, family: 'inet6', port: 0 }), 'fwmark:5:inet6');
  assert.equal(destLabel({ address: '2001:db8::2', port: 8080 }), '[2001:db8::2]:8080');
});

test('health is found by service and real server, or by the real server alone', () => {
  const health = healthLookup([
    { vs: 'tcp:10.0.0.1:80', quorumUp: true, rs: [{ rs: '10.0.0.2|80', alive: true, weight: 1 }] },
    { vs: 'group:WEB', quorumUp: true, rs: [{ rs: '10.0.0.3|80', alive: false, weight: 1 }] },
  ]);
  assert.equal(health('tcp:10.0.0.1:80', { address: '10.0.0.2', port: 80 }), true);
  assert.equal(health('tcp:10.0.0.9:80', { address: '10.0.0.3', port: 80 }), false);
  assert.equal(health('tcp:10.0.0.1:80', { address: '10.0.0.4', port: 80 }), undefined);
});
