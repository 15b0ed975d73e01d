// tandem's command line: --check-workers takes a worker count (0 = checkers on the main thread)
// and rejects anything else as a usage error value, never an exception; keepalived's flags and
// tandem's own (--log-format, --admin, --control, --signum) parse to DaemonArgs.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_ADMIN, parseAdmin, parseDaemonArgs, USAGE } from '../../../src/daemon/args.js';

test('--check-workers N: 0 and small counts accepted; absent leaves the default to run.ts', () => {
  for (const n of [0, 1, 2, 16]) {
    const r = parseDaemonArgs([`--check-workers=${n}`]);
    assert.ok(r.ok);
    assert.equal(r.args.checkWorkers, n);
  }
  const none = parseDaemonArgs([]);
  assert.ok(none.ok);
  assert.equal(none.args.checkWorkers, undefined);
  assert.match(USAGE, /--check-workers=N/);
});

test('--check-workers rejects non-numbers, negatives and huge counts', () => {
  for (const bad of ['-1', 'two', '65', '1.5', '']) {
    assert.equal(parseDaemonArgs([`--check-workers=${bad}`]).ok, false, bad);
  }
});

test('keepalived flags: -f -P -n -D -l -S -p -i parse; -n is accepted and changes nothing', () => {
  const r = parseDaemonArgs([
    ...['-f', '/x.conf', '-P', '-n', '-D', '-l', '-S', 'local3', '-p', '/run/x.pid'],
    ...['-i', 'lb1'],
  ]);
  assert.ok(r.ok);
  assert.equal(r.args.useFile, '/x.conf');
  assert.equal(r.args.vrrpOnly, true);
  assert.equal(r.args.dontFork, true);
  assert.equal(r.args.logDetail, true);
  assert.equal(r.args.logConsole, true);
  assert.equal(r.args.logFacility, 'local3');
  assert.equal(r.args.syslogFacility, (16 + 3) << 3);
  assert.equal(r.args.pidFile, '/run/x.pid');
  assert.equal(r.args.configId, 'lb1');
  assert.equal(r.args.logFormat, 'json');
  assert.match(USAGE, /never forks/);
});

test('-S takes 0-7, local0-7, user and daemon as keepalived does; anything else is a usage error', () => {
  const facility = (s: string): number | undefined => {
    const r = parseDaemonArgs(['-S', s]);
    return r.ok ? r.args.syslogFacility : undefined;
  };
  assert.equal(facility('0'), 16 << 3);
  assert.equal(facility('7'), 23 << 3);
  assert.equal(facility('local5'), 21 << 3);
  assert.equal(facility('user'), 1 << 3);
  assert.equal(facility('daemon'), 3 << 3);
  for (const bad of ['8', 'local8', 'kern', 'LOCAL0', '']) {
    assert.equal(parseDaemonArgs(['-S', bad]).ok, false, bad);
  }
});

test('--log-format json|keepalived, --dataplane ipvs|nft|proxy|auto, -I', () => {
  const k = parseDaemonArgs(['--log-format', 'keepalived']);
  assert.ok(k.ok);
  assert.equal(k.args.logFormat, 'keepalived');
  assert.equal(parseDaemonArgs(['--log-format', 'text']).ok, false);
  for (const d of ['proxy', 'nft', 'ipvs', 'auto']) {
    const r = parseDaemonArgs([`--dataplane=${d}`]);
    assert.ok(r.ok);
    assert.equal(r.args.dataplane, d);
  }
  assert.equal(parseDaemonArgs(['--dataplane=kernel']).ok, false);
  const i = parseDaemonArgs(['-I']);
  assert.ok(i.ok);
  assert.equal(i.args.dontReleaseIpvs, true);
  const long = parseDaemonArgs(['--dont-release-ipvs']);
  assert.ok(long.ok && long.args.dontReleaseIpvs);
});

test('--nft-interface names an interface; --nft-masquerade, --nft-dr-stateless are switches', () => {
  const r = parseDaemonArgs([
    '--dataplane',
    'nft',
    '--nft-interface',
    'eth0.100',
    '--nft-masquerade',
    '--nft-dr-stateless',
  ]);
  assert.ok(r.ok);
  assert.equal(r.args.nftDrStateless, true);
  assert.equal(r.args.nftInterface, 'eth0.100');
  assert.equal(r.args.nftMasquerade, true);
  const none = parseDaemonArgs([]);
  assert.ok(none.ok);
  assert.equal(none.args.nftMasquerade, false);
  assert.equal(none.args.nftDrStateless, false);
  assert.equal(none.args.nftInterface, undefined);
  for (const bad of ['', 'a/b', 'has space', 'sixteen-chars-xx']) {
    assert.equal(parseDaemonArgs(['--nft-interface', bad]).ok, false, bad);
  }
});

test('--control and --admin are exposed; --admin takes HOST:PORT, [V6]:PORT, :PORT or off', () => {
  const r = parseDaemonArgs(['--control', '/run/t.sock', '--admin', '[::1]:8080']);
  assert.ok(r.ok);
  assert.equal(r.args.control, '/run/t.sock');
  assert.deepEqual(r.args.admin, { host: '::1', port: 8080 });
  const none = parseDaemonArgs([]);
  assert.ok(none.ok);
  assert.equal(none.args.admin, undefined);
  assert.deepEqual(DEFAULT_ADMIN, { host: '127.0.0.1', port: 9716 });
  assert.equal(parseAdmin('off'), 'off');
  assert.deepEqual(parseAdmin('10.0.0.1:9716'), { host: '10.0.0.1', port: 9716 });
  assert.deepEqual(parseAdmin(':9716'), { host: '0.0.0.0', port: 9716 });
  for (const bad of ['9716', 'host', 'h:0', 'h:70000', '::1:80', 'h:']) {
    assert.equal(parseAdmin(bad), null, bad);
    assert.equal(parseDaemonArgs(['--admin', bad]).ok, false, bad);
  }
});

test('--signum=NAME is kept for main.ts; the usage lists the signals and their files', () => {
  const r = parseDaemonArgs(['--signum=STATS']);
  assert.ok(r.ok);
  assert.equal(r.args.signum, 'STATS');
  assert.match(USAGE, /tandem\.stats/);
  assert.match(USAGE, /realserver start\|stop/);
});

test('--shutdown-drain SECONDS becomes milliseconds; negatives and words are usage errors', () => {
  const ms = (s: string): number | undefined => {
    const r = parseDaemonArgs([`--shutdown-drain=${s}`]);
    return r.ok ? r.args.shutdownDrainMs : undefined;
  };
  assert.equal(ms('0'), 0);
  assert.equal(ms('5'), 5000);
  assert.equal(ms('0.25'), 250);
  for (const bad of ['-1', 'five', '1e3', '', '0.0001']) {
    assert.equal(parseDaemonArgs([`--shutdown-drain=${bad}`]).ok, false, bad);
  }
});
