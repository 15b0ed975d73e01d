// argv → ipvsadm 1.31's exact error text and exit status (fail() → 2, popt and try-help → 255).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIpvsadmArgs } from '../../../../src/ipvs/admin/index.js';

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
