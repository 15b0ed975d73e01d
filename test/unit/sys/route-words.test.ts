// virtual_routes words (`ip route` syntax subset) to a RouteSpec, and the diagnostics for words
// tandem does not support.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRouteWords } from '../../../src/sys/route-words.js';

const parse = (line: string): ReturnType<typeof parseRouteWords> =>
  parseRouteWords(line.split(/\s+/));

test('a full unicast route', () => {
  assert.deepEqual(
    parse(
      '10.20.0.0/16 via 10.9.0.254 dev eth0 src 10.9.0.1 metric 5 table 100 scope global proto 18',
    ),
    {
      ok: true,
      value: {
        type: 'unicast',
        family: 'inet',
        dest: '10.20.0.0',
        prefixLength: 16,
        via: '10.9.0.254',
        dev: 'eth0',
        src: '10.9.0.1',
        metric: 5,
        table: 100,
        scope: 'global',
        protocol: 18,
      },
    },
  );
});

test('src before the destination, `to`, names for table and proto, no_track', () => {
  assert.deepEqual(
    parse('src 10.0.0.1 to 10.1.0.0/24 dev eth1 table main proto keepalived no_track'),
    {
      ok: true,
      value: {
        type: 'unicast',
        family: 'inet',
        dest: '10.1.0.0',
        prefixLength: 24,
        src: '10.0.0.1',
        dev: 'eth1',
        table: 254,
        protocol: 18,
        noTrack: true,
      },
    },
  );
});

test('default takes its family from the gateway; host routes default to /32 and /128', () => {
  const d = parse('default via fe80::1 dev eth0');
  assert.ok(d.ok);
  assert.deepEqual([d.value.family, d.value.dest, d.value.prefixLength], ['inet6', '::', 0]);
  const h = parse('2001:db8::7 dev eth0');
  assert.ok(h.ok);
  assert.deepEqual([h.value.dest, h.value.prefixLength], ['2001:db8::7', 128]);
  const v4 = parse('default dev eth0');
  assert.ok(v4.ok);
  assert.deepEqual([v4.value.family, v4.value.dest], ['inet', '0.0.0.0']);
});

test('blackhole, unreachable and prohibit', () => {
  for (const type of ['blackhole', 'unreachable', 'prohibit'] as const) {
    const r = parse(`${type} 192.0.2.0/24 table 7`);
    assert.deepEqual(r, {
      ok: true,
      value: { type, family: 'inet', dest: '192.0.2.0', prefixLength: 24, table: 7 },
    });
  }
});

test('diagnostics name the offending word', () => {
  const cases: [string, string | undefined][] = [
    ['10.0.0.0/8 onlink', 'onlink'],
    ['10.0.0.0/8 via nothing', 'nothing'],
    ['10.0.0.0/8 via 2001:db8::1', '2001:db8::1'],
    ['10.0.0.0/8 metric -1', '-1'],
    ['10.0.0.0/8 table 0', '0'],
    ['10.0.0.0/8 proto 300', '300'],
    ['10.0.0.0/8 scope galaxy', 'galaxy'],
    ['10.0.0.0/8 dev', undefined],
    ['10.0.0.0/33', '10.0.0.0/33'],
    ['blackhole 10.0.0.0/8 via 10.0.0.1', 'via'],
    ['via 10.0.0.1', undefined],
    ['10.0.0.0/8 10.1.0.0/16', '10.1.0.0/16'],
  ];
  for (const [line, word] of cases) {
    const r = parse(line);
    assert.equal(r.ok, false, line);
    if (!r.ok) {
      assert.equal(r.word, word, line);
      assert.ok(r.message.length > 0);
    }
  }
});
