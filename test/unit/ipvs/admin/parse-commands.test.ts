// argv → typed command (servers, list, zero, timeouts, daemons, save/restore, help),
// written out by hand from ipvsadm 1.31's defaults (ipvs.md §6.1, §6.2).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIpvsadmArgs } from '../../../../src/ipvs/admin/index.js';
import type { IpvsadmCommand } from '../../../../src/ipvs/admin/index.js';

const LIST_OFF = {
  stats: false,
  rate: false,
  thresholds: false,
  persistentConn: false,
  tunInfo: false,
  exact: false,
  nosort: false,
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
    ['-a', '-t', '192.168.0.10:80', '-r', '10.0.0.1:8080', '-m', '-w', '3'],
    {
      command: 'add-server',
      service: VIP80,
      server: {
        address: '10.0.0.1',
        family: 'inet',
        port: 8080,
        method: 'masq',
        weight: 3,
        uThreshold: 0,
        lThreshold: 0,
      },
    },
  ],
  // -g is the default, and DR takes the service port whatever -r says.
  [
    ['-a', '-t', '192.168.0.10:80', '-r', '10.0.0.1:8080'],
    {
      command: 'add-server',
      service: VIP80,
      server: {
        address: '10.0.0.1',
        family: 'inet',
        port: 80,
        method: 'route',
        weight: 1,
        uThreshold: 0,
        lThreshold: 0,
      },
    },
  ],
  [
    ['-a', '-t', '192.168.0.10:80', '-r', '10.0.0.1', '-m'],
    {
      command: 'add-server',
      service: VIP80,
      server: {
        address: '10.0.0.1',
        family: 'inet',
        port: 80,
        method: 'masq',
        weight: 1,
        uThreshold: 0,
        lThreshold: 0,
      },
    },
  ],
  // ipvsadm copies the service port when it reads -r: before -t there is none yet.
  [
    ['-a', '-r', '10.0.0.1', '-t', '192.168.0.10:80', '-m'],
    {
      command: 'add-server',
      service: VIP80,
      server: {
        address: '10.0.0.1',
        family: 'inet',
        port: 0,
        method: 'masq',
        weight: 1,
        uThreshold: 0,
        lThreshold: 0,
      },
    },
  ],
  [
    [
      '-a',
      '-f',
      '1',
      '-r',
      '[2001:db8::5]:0',
      '-i',
      '--tun-type',
      'gue',
      '--tun-port',
      '6080',
      '--tun-csum',
    ],
    {
      command: 'add-server',
      service: { kind: 'fwmark', family: 'inet', fwmark: 1 },
      server: {
        address: '2001:db8::5',
        family: 'inet6',
        port: 0,
        method: 'tunnel',
        weight: 1,
        uThreshold: 0,
        lThreshold: 0,
        tunnel: { type: 'gue', port: 6080, csum: 'csum' },
      },
    },
  ],
  [
    [
      '-e',
      '-u',
      '10.1.1.1:53',
      '-r',
      '10.1.2.3',
      '-i',
      '--tun-type',
      'gre',
      '-x',
      '100',
      '-y',
      '50',
      '-w',
      '0',
    ],
    {
      command: 'edit-server',
      service: { kind: 'address', protocol: 'UDP', family: 'inet', address: '10.1.1.1', port: 53 },
      server: {
        address: '10.1.2.3',
        family: 'inet',
        port: 53,
        method: 'tunnel',
        weight: 0,
        uThreshold: 100,
        lThreshold: 50,
        tunnel: { type: 'gre', csum: 'nocsum' },
      },
    },
  ],
  [
    ['-a', '-t', '192.168.0.10:80', '-r', '10.0.0.9', '-i'],
    {
      command: 'add-server',
      service: VIP80,
      server: {
        address: '10.0.0.9',
        family: 'inet',
        port: 80,
        method: 'tunnel',
        weight: 1,
        uThreshold: 0,
        lThreshold: 0,
        tunnel: { type: 'ipip' },
      },
    },
  ],
  [
    ['-d', '-t', '192.168.0.10:80', '-r', '10.0.0.1:8080'],
    {
      command: 'delete-server',
      service: VIP80,
      server: { address: '10.0.0.1', family: 'inet', port: 8080 },
    },
  ],
  [
    ['-D', '-f', '1'],
    { command: 'delete-service', service: { kind: 'fwmark', family: 'inet', fwmark: 1 } },
  ],
  [['-C'], { command: 'clear' }],
  [['--clear'], { command: 'clear' }],
  [['-Z'], { command: 'zero' }],
  [['-Z', '-t', '192.168.0.10:80'], { command: 'zero', service: VIP80 }],
  [['--set', '900', '120', '300'], { command: 'set-timeout', tcp: 900, tcpfin: 120, udp: 300 }],
  [['--set', '0', '0', '60'], { command: 'set-timeout', tcp: 0, tcpfin: 0, udp: 60 }],
  [[], { command: 'list', view: 'services', numeric: false, options: LIST_OFF }],
  [['-L'], { command: 'list', view: 'services', numeric: false, options: LIST_OFF }],
  [
    ['-Ln', '--stats', '--exact'],
    {
      command: 'list',
      view: 'services',
      numeric: true,
      options: { ...LIST_OFF, stats: true, exact: true },
    },
  ],
  [
    ['-l', '-n', '-t', '192.168.0.10:80', '--rate'],
    {
      command: 'list',
      view: 'service',
      service: VIP80,
      numeric: true,
      options: { ...LIST_OFF, rate: true },
    },
  ],
  [
    ['-L', '-n', '-c', '--persistent-conn'],
    {
      command: 'list',
      view: 'connections',
      numeric: true,
      options: { ...LIST_OFF, persistentConn: true },
    },
  ],
  [['-L', '--timeout'], { command: 'list', view: 'timeout', numeric: false, options: LIST_OFF }],
  [['--list', '--daemon'], { command: 'list', view: 'daemon', numeric: false, options: LIST_OFF }],
  [
    ['-L', '--nosort', '--sort', '--tun-info', '--thresholds'],
    {
      command: 'list',
      view: 'services',
      numeric: false,
      options: { ...LIST_OFF, nosort: true, tunInfo: true, thresholds: true },
    },
  ],
  [['-S', '-n'], { command: 'save', numeric: true }],
  [['--save'], { command: 'save', numeric: false }],
  [['-R'], { command: 'restore' }],
  [
    ['--start-daemon', 'master'],
    { command: 'start-daemon', state: 'master', mcastInterface: 'eth0', syncId: 0 },
  ],
  [
    [
      '--start-daemon',
      'backup',
      '--mcast-interface',
      'eth1',
      '--syncid',
      '5',
      '--mcast-group',
      '224.0.0.82',
      '--mcast-port',
      '8849',
      '--mcast-ttl',
      '2',
      '--sync-maxlen',
      '1400',
    ],
    {
      command: 'start-daemon',
      state: 'backup',
      mcastInterface: 'eth1',
      syncId: 5,
      syncMaxlen: 1400,
      mcastGroup: '224.0.0.82',
      mcastPort: 8849,
      mcastTtl: 2,
    },
  ],
  [
    ['--start-daemon=master', '--mcast-group', 'ff02::81'],
    {
      command: 'start-daemon',
      state: 'master',
      mcastInterface: 'eth0',
      syncId: 0,
      mcastGroup: 'ff02::81',
    },
  ],
  [['--stop-daemon', 'backup'], { command: 'stop-daemon', state: 'backup' }],
  [['-h'], { command: 'help' }],
  [['--help', '--no-such-thing'], { command: 'help' }],
  [['-v'], { command: 'version' }],
];

for (const [argv, expected] of commandCases) {
  test(`ipvsadm ${argv.join(' ')}`, () => {
    assert.deepEqual(parseIpvsadmArgs(argv), { ok: true, command: expected });
  });
}
