// Where DR traffic comes in and goes out (--nft-interface, the VRRP configuration, the host's
// addresses and subnets), and the forwarding settings NAT needs, set and put back.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  interfaceFor,
  inPrefix,
  type HostAddress,
} from '../../../../src/dataplane/nft/interfaces.js';
import {
  natSysctls,
  SysctlKeeper,
  type SysctlIo,
} from '../../../../src/dataplane/nft/forwarding.js';

const HOST: HostAddress[] = [
  { ifname: 'lo', address: '10.0.0.100', family: 'inet', prefixLength: 32 },
  { ifname: 'eth0', address: '10.0.0.1', family: 'inet', prefixLength: 24 },
  { ifname: 'eth1', address: '10.0.0.129', family: 'inet', prefixLength: 25 },
  { ifname: 'eth2', address: '192.168.5.7', family: 'inet', prefixLength: 32 },
  { ifname: 'eth0', address: '2001:db8::1', family: 'inet6', prefixLength: 64 },
];

test('override, then the VRRP configuration, then the holder, then the longest subnet', () => {
  const hints = { configured: new Map([['10.9.9.9', 'vrrp0']]), host: HOST };
  assert.equal(interfaceFor('10.0.0.5', 'inet', { ...hints, override: 'bond0' }), 'bond0');
  assert.equal(interfaceFor('10.9.9.9', 'inet', hints), 'vrrp0');
  assert.equal(interfaceFor('192.168.5.7', 'inet', hints), 'eth2');
  assert.equal(interfaceFor('10.0.0.5', 'inet', hints), 'eth0');
  assert.equal(interfaceFor('10.0.0.200', 'inet', hints), 'eth1', '/25 beats /24');
  assert.equal(interfaceFor('10.0.0.100', 'inet', hints), 'eth0', 'lo never counts');
  assert.equal(interfaceFor('2001:db8::77', 'inet6', hints), 'eth0');
  assert.equal(interfaceFor('172.16.0.1', 'inet', hints), undefined);
  assert.equal(inPrefix('10.0.0.129', '10.0.0.128', 25, 'inet'), true);
  assert.equal(inPrefix('bogus', '10.0.0.128', 25, 'inet'), false);
});

test('NAT forwarding settings: set what differs, put back what was there', () => {
  const values = new Map([
    ['net.ipv4.ip_forward', '0'],
    ['net.ipv4.conf.all.send_redirects', '1'],
    ['net.ipv4.conf.default.send_redirects', '0'],
    ['net.ipv4.conf.eth0.send_redirects', '1'],
  ]);
  const io: SysctlIo = {
    read: (n) => values.get(n),
    write: (n, v) => {
      values.set(n, v);
      return true;
    },
  };
  const keeper = new SysctlKeeper(io);
  const want = natSysctls(new Set(['inet', 'inet6']), new Set(['eth0']));
  assert.deepEqual(keeper.apply(want), ['net.ipv6.conf.all.forwarding'], 'absent: reported');
  assert.equal(values.get('net.ipv4.ip_forward'), '1');
  assert.equal(values.get('net.ipv4.conf.eth0.send_redirects'), '0');
  keeper.apply(want);
  keeper.restore();
  assert.deepEqual(
    [...values],
    [
      ['net.ipv4.ip_forward', '0'],
      ['net.ipv4.conf.all.send_redirects', '1'],
      ['net.ipv4.conf.default.send_redirects', '0'],
      ['net.ipv4.conf.eth0.send_redirects', '1'],
    ],
  );
});
