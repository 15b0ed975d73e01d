// argv → typed command (services), written out by hand from ipvsadm 1.31's defaults (ipvs.md §6.1, §6.2).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIpvsadmArgs } from '../../../../src/ipvs/admin/index.js';
import type { IpvsadmCommand, ParseOptions } from '../../../../src/ipvs/admin/index.js';

const NO_FLAGS = {
  persistent: false,
  onePacket: false,
  sched1: false,
  sched2: false,
  sched3: false,
};
const VIP80 = {
  kind: 'address',
  protocol: 'TCP',
  family: 'inet',
  address: '192.168.0.10',
  port: 80,
} as const;

const commandCases: readonly [readonly string[], IpvsadmCommand][] = [
  [
    ['-A', '-t', '192.168.0.10:80', '-s', 'wlc', '-p', '360'],
    {
      command: 'add-service',
      service: VIP80,
      scheduler: 'wlc',
      flags: { ...NO_FLAGS, persistent: true },
      timeout: 360,
      netmask: '255.255.255.255',
    },
  ],
  [
    ['-A', '-t', '192.168.0.10:80'],
    {
      command: 'add-service',
      service: VIP80,
      scheduler: 'wlc',
      flags: NO_FLAGS,
      timeout: 0,
      netmask: '255.255.255.255',
    },
  ],
  [
    ['-A', '-t', '192.168.0.10', '-p'],
    {
      command: 'add-service',
      service: { ...VIP80, port: 0 },
      scheduler: 'wlc',
      flags: { ...NO_FLAGS, persistent: true },
      timeout: 360,
      netmask: '255.255.255.255',
    },
  ],
  [
    ['-A', '-t', '192.168.0.10:80', '-p', '-s', 'rr', '-M', '255.255.255.0'],
    {
      command: 'add-service',
      service: VIP80,
      scheduler: 'rr',
      flags: { ...NO_FLAGS, persistent: true },
      timeout: 360,
      netmask: '255.255.255.0',
    },
  ],
  [
    ['-At192.168.0.10:80', '-p=600', '-sdh'],
    {
      command: 'add-service',
      service: VIP80,
      scheduler: 'dh',
      flags: { ...NO_FLAGS, persistent: true },
      timeout: 600,
      netmask: '255.255.255.255',
    },
  ],
  [
    ['--add-service', '--tcp-service=192.168.0.10:80', '--persistent', '100', '--scheduler', 'lc'],
    {
      command: 'add-service',
      service: VIP80,
      scheduler: 'lc',
      flags: { ...NO_FLAGS, persistent: true },
      timeout: 100,
      netmask: '255.255.255.255',
    },
  ],
  [
    ['-A', '-t', '10.1:80'],
    {
      command: 'add-service',
      service: { ...VIP80, address: '10.0.0.1' },
      scheduler: 'wlc',
      flags: NO_FLAGS,
      timeout: 0,
      netmask: '255.255.255.255',
    },
  ],
  [
    ['-A', '-u', '[2001:DB8:0::1]:53', '-s', 'rr', '-o', '-p', '100', '-M', '64'],
    {
      command: 'add-service',
      service: {
        kind: 'address',
        protocol: 'UDP',
        family: 'inet6',
        address: '2001:db8::1',
        port: 53,
      },
      scheduler: 'rr',
      flags: { ...NO_FLAGS, persistent: true, onePacket: true },
      timeout: 100,
      netmask: '64',
    },
  ],
  [
    ['-A', '-f', '7', '-6', '-s', 'mh', '-b', 'mh-fallback,mh-port'],
    {
      command: 'add-service',
      service: { kind: 'fwmark', family: 'inet6', fwmark: 7 },
      scheduler: 'mh',
      flags: { ...NO_FLAGS, sched1: true, sched2: true },
      timeout: 0,
      netmask: '128',
    },
  ],
  [
    [
      '-E',
      '--sctp-service',
      '10.0.0.1:3868',
      '--scheduler=sh',
      '--sched-flags',
      'sh-port,flag-3',
      '--pe',
      'sip',
      '-p',
    ],
    {
      command: 'edit-service',
      service: {
        kind: 'address',
        protocol: 'SCTP',
        family: 'inet',
        address: '10.0.0.1',
        port: 3868,
      },
      scheduler: 'sh',
      flags: { ...NO_FLAGS, persistent: true, sched2: true, sched3: true },
      timeout: 360,
      netmask: '255.255.255.255',
      pe: 'sip',
    },
  ],
];

for (const [argv, expected] of commandCases) {
  test(`ipvsadm ${argv.join(' ')}`, () => {
    assert.deepEqual(parseIpvsadmArgs(argv), { ok: true, command: expected });
  });
}

test('port names go through the lookup the caller supplies', () => {
  const options: ParseOptions = {
    lookupService: (name, proto) => (name === 'http' && proto === 'TCP' ? 80 : undefined),
  };
  const r = parseIpvsadmArgs(['-A', '-t', '192.168.0.10:http'], options);
  assert.ok(r.ok && r.command.command === 'add-service');
  assert.deepEqual(r.command.service, VIP80);
  assert.equal(parseIpvsadmArgs(['-A', '-u', '192.168.0.10:http'], options).ok, false);
  assert.equal(parseIpvsadmArgs(['-A', '-t', '192.168.0.10:http']).ok, false);
});

test('scheduler and persistence-engine lists can be replaced', () => {
  assert.equal(
    parseIpvsadmArgs(['-A', '-t', '1.2.3.4:80', '-s', 'mine'], { schedulers: ['mine'] }).ok,
    true,
  );
});
