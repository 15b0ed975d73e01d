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

const C = 2;
const P = 255;
const errorCases: readonly [readonly string[], string, number][] = [
  [['-A', '-t', '192.168.0.10'], 'Zero port specified for non-persistent service', C],
  [['-E', '-t', '192.168.0.10:0'], 'Zero port specified for non-persistent service', C],
  [
    ['-A', '-t', '192.168.0.10:53', '-o'],
    'One-Packet Scheduling is only for UDP virtual services',
    C,
  ],
  [['-a', '-t', '1.2.3.4:80', '-r', '10.0.0.1', '-w', '65536'], 'illegal weight specified', C],
  [['-a', '-t', '1.2.3.4:80', '-r', '10.0.0.1', '-w', '-1'], 'illegal weight specified', C],
  [['-a', '-t', '1.2.3.4:80', '-r', '10.0.0.1', '-w', '1x'], 'illegal weight specified', C],
  [['-a', '-t', '1.2.3.4:80', '-x', 'abc'], 'illegal u_threshold specified', C],
  [['-a', '-t', '1.2.3.4:80', '-y', '2147483648'], 'illegal l_threshold specified', C],
  [['-A', '-t', '1.2.3.4:80', '-s', 'foo'], 'Scheduler or persistence engine not found', P],
  [['-A', '-t', '1.2.3.4:80', '-p', '--pe', 'xyz'], 'Scheduler or persistence engine not found', P],
  [['-A', '-t', '1.2.3.4:80', '-b', 'sh-port'], "incompatible scheduler flag `sh-port'", C],
  [
    ['-A', '-t', '1.2.3.4:80', '-s', 'sh', '-b', 'mh-port'],
    "incompatible scheduler flag `mh-port'",
    C,
  ],
  [['-A', '-t', '1.2.3.4:80', '-s', 'sh', '-b', 'bogus'], "invalid scheduler flag `bogus'", C],
  [['-A', '-t', '80'], 'illegal virtual server address[:port] specified', C],
  [['-A', '-t', '[::1]'], 'illegal virtual server address[:port] specified', C],
  [['-A', '-t', 'host.example:80'], 'illegal virtual server address[:port] specified', C],
  [['-A', '-t', '1.2.3.4:65536'], 'illegal virtual server address[:port] specified', C],
  [['-a', '-t', '1.2.3.4:80', '-r', 'x'], 'illegal real server address[:port] specified', C],
  [['-A', '-f', '0'], "invalid fwmark value `0' specified", C],
  [['-A', '-f', '4294967296'], "invalid fwmark value `4294967296' specified", C],
  [['-A', '-t', '1.2.3.4:80', '-p', '0'], "invalid timeout value `0' specified", C],
  [['-A', '-t', '1.2.3.4:80', '-p', '2678401'], "invalid timeout value `2678401' specified", C],
  [
    ['-A', '-t', '1.2.3.4:80', '-p', '-M', '255.255.255.256'],
    'illegal virtual server persistent mask specified',
    C,
  ],
  [['-A', '-t', '[::1]:80', '-p', '-M', '129'], 'illegal ipv6 netmask specified', C],
  [['-A', '-6', '-f', '1'], '-6 used before -f\n', C],
  [
    ['-A', '-t', '1.2.3.4:80', '-t', '1.2.3.5:80'],
    "multiple 'service-address' options specified",
    C,
  ],
  [['-A', '-t', '1.2.3.4:80', '-f', '1'], "multiple 'service-address' options specified", C],
  [
    ['-a', '-t', '1.2.3.4:80', '-r', '10.0.0.1', '-m', '-g'],
    "multiple 'forwarding-method' options specified",
    C,
  ],
  [
    ['-A', '-t', '1.2.3.4:80', '-r', '10.0.0.1'],
    "Illegal 'real-server' option with the 'add-service' command",
    C,
  ],
  [
    ['-a', '-t', '1.2.3.4:80'],
    "You need to supply the 'real-server' option for the 'add-server' command",
    C,
  ],
  [
    ['-a', '-r', '10.0.0.1'],
    "You need to supply the 'service-address' option for the 'add-server' command",
    C,
  ],
  [
    ['-L', '-c', '-t', '1.2.3.4:80'],
    "The option 'service-address' conflicts with the 'connection' option in the 'list' command",
    C,
  ],
  [
    ['-L', '--daemon', '--timeout'],
    "The option 'daemon' conflicts with the 'timeout' option in the 'list' command",
    C,
  ],
  [['-L', '--timeout', '--persistent-conn'], 'options conflicts in the list command', C],
  [['-L', '-c', '--stats'], 'options conflicts in the list command', C],
  [['-L', '-w', '1'], "Illegal 'weight' option with the 'list' command", C],
  [['-S', '-c'], "Illegal 'connection' option with the 'save' command", C],
  [['-C', '-n'], "Illegal 'numeric' option with the 'flush' command", C],
  [['-Z', '-n'], "Illegal 'numeric' option with the 'zero' command", C],
  [
    ['-a', '-t', '1.2.3.4:80', '-r', '[::1]:80', '-m'],
    'Different address family is allowed only for tunneling servers',
    C,
  ],
  [
    ['-a', '-t', '1.2.3.4:80', '-r', '10.0.0.1', '-m', '--tun-type', 'gre'],
    'Tunnel options conflict with forward method',
    C,
  ],
  [
    ['-a', '-t', '1.2.3.4:80', '-r', '10.0.0.1', '-i', '--tun-type', 'gue'],
    "You need to supply the 'tun-port' option for the 'gue' tunnel type",
    C,
  ],
  [
    ['-a', '-t', '1.2.3.4:80', '-r', '10.0.0.1', '-i', '--tun-port', '5'],
    "Illegal 'tun-port' option with the 'ipip' tunnel type",
    C,
  ],
  [
    [
      '-a',
      '-t',
      '1.2.3.4:80',
      '-r',
      '10.0.0.1',
      '-i',
      '--tun-type',
      'gue',
      '--tun-port',
      '5',
      '--tun-csum',
      '--tun-nocsum',
    ],
    "The option 'tun-csum' conflicts with the 'tun-nocsum' option in the 'gue' tunnel type",
    C,
  ],
  [
    ['-a', '-t', '1.2.3.4:80', '-r', '10.0.0.1', '-i', '--tun-type', 'gre', '--tun-remcsum'],
    "Illegal 'tun-remcsum' option with the 'gre' tunnel type",
    C,
  ],
  [
    ['-a', '-t', '1.2.3.4:80', '-r', '10.0.0.1', '-i', '--tun-type', 'vxlan'],
    'illegal tunnel type specified',
    C,
  ],
  [
    ['-a', '-t', '1.2.3.4:80', '-r', '10.0.0.1', '-i', '--tun-port', '0'],
    'illegal tunnel port specified',
    C,
  ],
  [['--set', '900', '120'], '--set option requires 3 timeout values', C],
  [['--set', '900', '120', 'x'], "invalid timeout value `x' specified", C],
  [['--set', '1', '2', '3', '4'], 'unexpected argument 4', C],
  [['-L', 'extra'], 'unexpected argument extra', C],
  [['-L', '--', '-n'], 'unexpected argument -n', C],
  [['-L', '-A'], "invalid option `-A'", C],
  [['-L', '--start-daemon', 'master'], "invalid option `master'", C],
  [['-L', '-h'], "invalid option `-h'", C],
  [['--start-daemon', 'primary'], 'illegal start-daemon parameter specified', C],
  [['--stop-daemon', 'x'], 'illegal start_daemon specified', C],
  [
    ['--start-daemon', 'master', '--mcast-group', '10.0.0.1'],
    "invalid IPv4 mcast-group `10.0.0.1'",
    C,
  ],
  [
    ['--start-daemon', 'master', '--mcast-group', '2001:db8::1'],
    "invalid IPv6 mcast-group `2001:db8::1'",
    C,
  ],
  [['--start-daemon', 'master', '--syncid', '256'], 'illegal syncid specified', C],
  [['--start-daemon', 'master', '--mcast-port', '0'], 'illegal mcast-port specified', C],
  [['--start-daemon', 'master', '--mcast-ttl', '256'], 'illegal mcast-ttl specified', C],
  [['--start-daemon', 'master', '--sync-maxlen', '65508'], 'illegal sync-maxlen specified', C],
  [
    ['--stop-daemon', 'master', '--mcast-interface', 'eth0'],
    "Illegal 'mcast-interface' option with the 'stop-daemon' command",
    C,
  ],
  // The command must come first; anything else is "try help".
  [['-n', '-L'], "Try `ipvsadm -h' or 'ipvsadm --help' for more information.", P],
  [['--bogus'], "Try `ipvsadm -h' or 'ipvsadm --help' for more information.", P],
  [['word'], "Try `ipvsadm -h' or 'ipvsadm --help' for more information.", P],
  [['--start-daemon'], "Try `ipvsadm -h' or 'ipvsadm --help' for more information.", P],
  [['-L', '--bogus'], '--bogus: unknown option', P],
  [['-L', '-nQ'], '-nQ: unknown option', P],
  [['-L', '--numeric=1'], '--numeric=1: option does not take an argument', P],
  [['-A', '-t'], '-t: missing argument', P],
  // popt reads a single-dash word as short options: the seed's `ipvsadm -l -stats` is `-s tats`.
  [['-l', '-stats'], "Illegal 'scheduler' option with the 'list' command", C],
];

for (const [argv, message, exitCode] of errorCases) {
  test(`ipvsadm ${argv.join(' ')} → ${JSON.stringify(message)}`, () => {
    assert.deepEqual(parseIpvsadmArgs(argv), { ok: false, error: { message, exitCode } });
  });
}

test('the program name appears in "try help"', () => {
  const r = parseIpvsadmArgs(['-x'], { program: 'tandemadm' });
  assert.deepEqual(r, {
    ok: false,
    error: {
      message: "Try `tandemadm -h' or 'tandemadm --help' for more information.",
      exitCode: 255,
    },
  });
});
