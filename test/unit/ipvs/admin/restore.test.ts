import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseIpvsadmArgs, parseRestore } from '../../../../src/ipvs/admin/index.js';
import { renderSave } from '../../../../src/ipvs/render/index.js';
import { serviceKeyOf } from '../../../../src/ipvs/service-key.js';
import type {
  DestSnapshot,
  ServiceSnapshot,
  TableSnapshot,
} from '../../../../src/ipvs/snapshot.js';
import { applyCommands } from '../../../helpers/apply-commands.js';
import { dest, fwm, svc, table } from '../../../helpers/snapshot.js';
import { MIXED_TABLE, SPEC_TABLE } from '../../../fixtures/ipvsadm/tables.js';

/** What -S keeps of a destination: no thresholds or counters; LOCALNODE comes back as DR. */
function savedDest(d: DestSnapshot): object {
  const tunnel =
    d.method !== 'tunnel'
      ? undefined
      : d.tunnel === undefined || d.tunnel.type === 'ipip'
        ? { type: 'ipip' }
        : d.tunnel.type === 'gre'
          ? { type: 'gre', csum: d.tunnel.csum ?? 'nocsum' }
          : { type: 'gue', port: d.tunnel.port, csum: d.tunnel.csum ?? 'nocsum' };
  return {
    address: d.address,
    family: d.family,
    port: d.port,
    method: d.method === 'local' ? 'route' : d.method,
    weight: d.weight,
    tunnel,
  };
}

function savedService(s: ServiceSnapshot): object {
  return {
    key: serviceKeyOf(s),
    scheduler: s.scheduler,
    flags: { ...s.flags, hashed: true },
    timeout: s.flags.persistent ? s.timeout : 0,
    netmask: s.netmask,
    pe: s.pe,
    dests: s.dests
      .map(savedDest)
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
  };
}

function roundTrip(t: TableSnapshot): void {
  const restored = parseRestore(renderSave(t));
  assert.ok(restored.ok, JSON.stringify(restored));
  const rebuilt = applyCommands(restored.commands.map((c) => c.command));
  const order = (list: readonly ServiceSnapshot[]): object[] =>
    list.map(savedService).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  assert.deepEqual(order(rebuilt), order(t.services));
}

test('save → restore rebuilds the §6.4 table', () => {
  roundTrip(SPEC_TABLE);
});

test('save → restore rebuilds IPv6, fwmark -6, SCTP, tunnel, pe and sched-flag services', () => {
  roundTrip(MIXED_TABLE);
});

test('save → restore round trip holds for random tables', () => {
  const octet = fc.integer({ min: 1, max: 254 });
  const v4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
  const v6 = fc.integer({ min: 1, max: 0xffff }).map((n) => `2001:db8::${n.toString(16)}`);
  const method = fc.constantFrom('masq', 'route', 'tunnel' as const);
  const destArb = (family: 'inet' | 'inet6', port: number, fwmark: boolean) =>
    fc
      .record({
        a: family === 'inet' ? v4 : v6,
        m: method,
        w: fc.integer({ min: 0, max: 65535 }),
        p: fc.integer({ min: 1, max: 65535 }),
      })
      .map((r) =>
        dest(r.a, r.m === 'masq' || fwmark ? r.p : port, {
          method: r.m,
          weight: r.w,
          ...(r.m === 'tunnel' ? { tunnel: { type: 'ipip' } } : {}),
        }),
      );
  const addrSvc = fc
    .record({
      proto: fc.constantFrom('TCP', 'UDP', 'SCTP' as const),
      family: fc.constantFrom('inet', 'inet6' as const),
      a4: v4,
      a6: v6,
      port: fc.integer({ min: 1, max: 65535 }),
      sched: fc.constantFrom('rr', 'wrr', 'wlc', 'sh', 'mh', 'lblc'),
      persistent: fc.boolean(),
      timeout: fc.integer({ min: 1, max: 2678400 }),
    })
    .chain((r) =>
      fc
        .uniqueArray(destArb(r.family, r.port, false), {
          maxLength: 4,
          selector: (d) => `${d.address}:${d.port}`,
        })
        .map((dests) =>
          svc(r.proto, r.family === 'inet' ? r.a4 : r.a6, r.port, {
            scheduler: r.sched,
            flags: {
              persistent: r.persistent,
              onePacket: r.proto === 'UDP' && !r.persistent,
              sched2: r.sched === 'sh',
            },
            timeout: r.persistent ? r.timeout : 0,
            dests,
          }),
        ),
    );
  const markSvc = fc
    .record({
      mark: fc.integer({ min: 1, max: 0xffffffff }),
      family: fc.constantFrom('inet', 'inet6' as const),
    })
    .chain((r) =>
      fc
        .uniqueArray(destArb(r.family, 0, true), {
          maxLength: 3,
          selector: (d) => `${d.address}:${d.port}`,
        })
        .map((dests) => fwm(r.mark, r.family, { scheduler: 'wrr', dests })),
    );
  const services = fc.uniqueArray(fc.oneof(addrSvc, markSvc), {
    maxLength: 5,
    selector: (s) => JSON.stringify(serviceKeyOf(s)),
  });
  fc.assert(
    fc.property(services, (list) => {
      roundTrip(table(list));
    }),
    { numRuns: 200 },
  );
});

test('restore skips blank lines and "ipvsadm" words and numbers lines from 1', () => {
  const text =
    '\n  \nipvsadm -A -t 10.0.0.1:80 -s rr\n\t\n-a -t 10.0.0.1:80 -r 10.0.0.2 -m ipvsadm\n';
  const r = parseRestore(text);
  assert.ok(r.ok);
  assert.deepEqual(
    r.commands.map((c) => [c.line, c.command.command]),
    [
      [3, 'add-service'],
      [5, 'add-server'],
    ],
  );
});

test('restore stops at the first bad line, keeping the commands before it', () => {
  const text =
    '-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.0.2\n\n-a -t 10.0.0.1:80 -r 10.0.0.3 -w 70000\n-C\n';
  const r = parseRestore(text);
  assert.equal(r.ok, false);
  assert.ok(!r.ok);
  assert.equal(r.line, 4);
  assert.deepEqual(r.error, { message: 'line 4: illegal weight specified', exitCode: 2 });
  assert.deepEqual(
    r.commands.map((c) => c.line),
    [1, 2],
  );
});

test('restore, like ipvsadm, has no comments and refuses a nested -R', () => {
  const comment = parseRestore('# saved by hand\n-C\n');
  assert.ok(!comment.ok);
  assert.equal(
    comment.error.message,
    "line 1: Try `ipvsadm -h' or 'ipvsadm --help' for more information.",
  );
  const nested = parseRestore('-C\n-R\n');
  assert.ok(!nested.ok);
  assert.equal(nested.line, 2);
  assert.equal(nested.error.exitCode, 255);
});

const words = fc.constantFrom(
  '-A', '-E', '-D', '-C', '-L', '-l', '-Z', '-a', '-e', '-d', '-R', '-S', '-h', '-v', '--set',
  '--start-daemon', '--stop-daemon', 'master', 'backup', '-t', '-u', '--sctp-service', '-f', '-6',
  '-s', 'rr', 'sh', 'mh', '-p', '-M', '-r', '-m', '-g', '-i', '-w', '-x', '-y', '-n', '-c', '-o',
  '--pe', 'sip', '-b', 'sh-port', 'flag-1,flag-2', '--timeout', '--daemon', '--stats', '--rate',
  '--thresholds', '--persistent-conn', '--nosort', '--sort', '--exact', '--tun-info', '--tun-type',
  'gue', 'gre', 'ipip', '--tun-port', '--tun-csum', '--tun-nocsum', '--tun-remcsum', '--syncid',
  '--mcast-group', '--mcast-interface', '--mcast-port', '--mcast-ttl', '--sync-maxlen', '--',
  '10.0.0.1:80', '[2001:db8::1]:80', '2001:db8::1', '10.1', '0', '1', '360', '65536', '-1',
  '255.255.255.0', '64', '224.0.0.81', '-Ln', '-At', '-p=5', '--tcp-service=1.2.3.4:80', '',
); // prettier-ignore

test('random argv never throws: a command or an ipvsadm error', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(words, fc.string(), fc.string({ unit: 'binary' })), { maxLength: 14 }),
      (argv) => {
        const r = parseIpvsadmArgs(argv);
        if (r.ok) assert.equal(typeof r.command.command, 'string');
        else {
          assert.equal(typeof r.error.message, 'string');
          assert.ok(r.error.exitCode === 2 || r.error.exitCode === 255);
        }
      },
    ),
    { numRuns: 3000 },
  );
});

test('random restore input never throws', () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(fc.oneof(words, fc.string()), { maxLength: 8 }), { maxLength: 6 }),
      (lines) => {
        const r = parseRestore(lines.map((l) => l.join(' ')).join('\n'));
        assert.equal(typeof r.ok, 'boolean');
      },
    ),
    { numRuns: 500 },
  );
});

test('every restored line parses the same as the argv it came from', () => {
  const r = parseRestore(renderSave(MIXED_TABLE));
  assert.ok(r.ok);
  const lines = renderSave(MIXED_TABLE).split('\n');
  for (const { line, command } of r.commands) {
    const argv = (lines[line - 1] ?? '').split(' ');
    assert.deepEqual(parseIpvsadmArgs(argv), { ok: true, command });
  }
});
