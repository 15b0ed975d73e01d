// The pure pieces of the kernel IPVS plane: /proc/net/ip_vs_conn lines (as ip_vs_conn_seq_show
// writes them) into connection entries, the sync plan between programmed and wanted tables,
// the table↔kernel vocabulary, counter deltas, and lvs_sync_daemon's daemons.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { counterDelta } from '../../../src/dataplane/ipvs/counters.js';
import {
  destSnapshotOf,
  destSpecOfSnapshot,
  sameDest,
  serviceSnapshotOf,
  serviceSpecOfSnapshot,
} from '../../../src/dataplane/ipvs/kernel-spec.js';
import { parseConnLine, parseProcConns } from '../../../src/dataplane/ipvs/proc-conns.js';
import { syncDaemonPlan, wantedSyncDaemons } from '../../../src/dataplane/ipvs/sync-daemons.js';
import { planSync, programmedService, wantedTable } from '../../../src/dataplane/ipvs/sync-plan.js';
import type { Config } from '../../../src/config/model.js';
import { renderConnections } from '../../../src/ipvs/render/index.js';
import type { IpvsDest, IpvsDestSpec, IpvsServiceSpec } from '../../../src/sys/ipvs-netlink.js';
import { ZERO_STATS } from '../../../src/sys/ipvs-decode.js';

const PROC = `Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData
TCP 7F000005 D6D8 7F010001 0050 7F020001 1F40 CLOSE_WAIT       55
UDP 0A000001 8D6A 0A000064 0035 0A000002 0035 UDP             297
IP  0A000001 0000 00000007 0000 0A000002 0000 NONE            359
TCP 2001:0db8:0000:0000:0000:0000:0000:0001 D6D8 2001:0db8:0000:0000:0000:0000:0000:0100 01BB 2001:0db8:0000:0000:0000:0000:0000:0200 20FB ESTABLISHED    899
UDP 0A000001 13C4 0A000064 13C4 0A000002 13C4 NONE            120 sip 1234@host
SCTP 0A000001 0D05 0A000064 2328 0A000002 2328 COOKIE_ECHOED    3
`;

test('/proc/net/ip_vs_conn: every entry, IPv4 as host-order hex, IPv6 in full, pe data', () => {
  const conns = parseProcConns(PROC);
  assert.equal(conns.length, 6);
  assert.deepEqual(conns[0], {
    protocol: 'TCP',
    family: 'inet',
    clientAddress: '127.0.0.5',
    clientPort: 0xd6d8,
    virtualAddress: '127.1.0.1',
    virtualPort: 80,
    destAddress: '127.2.0.1',
    destPort: 8000,
    state: 'CLOSE_WAIT',
    expiresMs: 55_000,
    template: false,
  });
  assert.deepEqual(
    [conns[2]?.protocol, conns[2]?.virtualAddress, conns[2]?.template],
    ['IP', '0.0.0.7', true],
  );
  assert.deepEqual(
    [conns[3]?.family, conns[3]?.clientAddress, conns[3]?.destAddress, conns[3]?.destPort],
    ['inet6', '2001:db8::1', '2001:db8::200', 8443],
  );
  assert.deepEqual([conns[4]?.peName, conns[4]?.peData], ['sip', '1234@host']);
  assert.equal(conns[5]?.state, 'COOKIE_ECHOED');
  const listed = renderConnections(conns).split('\n');
  assert.equal(
    listed[2],
    'TCP 00:55  CLOSE_WAIT  127.0.0.5:55000    127.1.0.1:80       127.2.0.1:8000',
  );
});

test('/proc/net/ip_vs_conn: malformed lines are skipped, nothing throws', () => {
  for (const bad of [
    '',
    'TCP',
    'XXX 0A000001 0 0A000002 0 0A000003 0 NONE 1',
    'TCP zz 0 0A 0 0A 0 NONE 1',
    'TCP 0A000001 12345 0A000002 0 0A000003 0 NONE 1',
    'TCP 0A000001 1 0A000002 0 0A000003 0 NONE -1',
  ]) {
    assert.equal(parseConnLine(bad), undefined, bad);
  }
  assert.equal(parseConnLine('TCP 0A000001 1 0A000002 0 0A000003 0 WHATEVER 1')?.state, 'ERR!');
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (s) => {
      parseProcConns(s);
    }),
    { numRuns: 2000 },
  );
});

const SVC: IpvsServiceSpec = {
  family: 'inet',
  fwmark: 0,
  protocol: 6,
  address: '10.0.0.1',
  port: 80,
  scheduler: 'wlc',
  flags: 0,
  timeout: 0,
  netmask: 0xffffffff,
};

function dest(address: string, weight = 1): IpvsDestSpec {
  return { family: 'inet', address, port: 80, fwdMethod: 3, weight, uThreshold: 0, lThreshold: 0 };
}

test('sync plan: deletions first, new destinations oldest first, nothing for equals', () => {
  const have = wantedTable([
    programmedService(SVC, [dest('10.0.1.2'), dest('10.0.1.1')]),
    programmedService({ ...SVC, port: 81 }, []),
  ]);
  const want = wantedTable([
    programmedService({ ...SVC, scheduler: 'rr' }, [
      dest('10.0.1.4'),
      dest('10.0.1.3'),
      dest('10.0.1.2', 5),
    ]),
  ]);
  const ops = planSync(have, want).map(
    (o) => `${o.op} ${o.service.port}${'dest' in o ? ` ${o.dest.address}` : ''}`,
  );
  assert.deepEqual(ops, [
    'del-service 81',
    'set-service 80',
    'del-dest 80 10.0.1.1',
    'set-dest 80 10.0.1.2',
    'new-dest 80 10.0.1.3',
    'new-dest 80 10.0.1.4',
  ]);
  assert.deepEqual(planSync(want, want), []);
  // HASHED is the kernel's own flag; LOCALNODE in the kernel matches any wanted method.
  const hashed = wantedTable([
    programmedService({ ...SVC, flags: 2 }, [{ ...dest('10.0.1.1'), fwdMethod: 1 }]),
  ]);
  assert.deepEqual(planSync(hashed, wantedTable([programmedService(SVC, [dest('10.0.1.1')])])), []);
});

test('sameDest: tunnel fields count only for tunnels', () => {
  const tun = { ...dest('10.0.1.1'), fwdMethod: 2, tunType: 1, tunPort: 6080, tunFlags: 0 };
  assert.equal(sameDest(tun, { ...tun, tunPort: 6081 }), false);
  assert.equal(sameDest(dest('a'), { ...dest('a'), tunType: 0, tunPort: 0, tunFlags: 0 }), true);
  assert.equal(sameDest(dest('a'), { ...dest('a'), uThreshold: 1 }), false);
});

test('kernel records read as snapshots and back', () => {
  const kd: IpvsDest = {
    ...dest('10.0.1.1', 4),
    fwdMethod: 2,
    tunType: 2,
    tunPort: 0,
    tunFlags: 1,
    activeConns: 2,
    inactConns: 3,
    persistConns: 0,
    stats: { ...ZERO_STATS, conns: 9, cps: 1 },
  };
  const d = destSnapshotOf(kd);
  assert.deepEqual(
    [d.method, d.tunnel, d.stats.conns, d.rates.cps],
    ['tunnel', { type: 'gre', csum: 'csum' }, 9, 1],
  );
  assert.deepEqual(destSpecOfSnapshot(d), {
    ...dest('10.0.1.1', 4),
    fwdMethod: 2,
    tunType: 2,
    tunPort: 0,
    tunFlags: 1,
  });
  const s = serviceSnapshotOf(
    { ...SVC, flags: 0x1 | 0x2 | 0x10, timeout: 300, netmask: 0xffffff00, stats: ZERO_STATS },
    [kd],
  );
  assert.deepEqual(
    [s.protocol, s.netmask, s.flags.persistent, s.flags.hashed, s.flags.sched2, s.dests.length],
    ['TCP', '255.255.255.0', true, true, true, 1],
  );
  assert.deepEqual(serviceSpecOfSnapshot(s), {
    ...SVC,
    flags: 0x1 | 0x10,
    timeout: 300,
    netmask: 0xffffff00,
  });
  const fwm = serviceSnapshotOf(
    {
      ...SVC,
      family: 'inet6',
      fwmark: 3,
      protocol: 0,
      address: '',
      port: 0,
      netmask: 96,
      stats: ZERO_STATS,
    },
    [],
  );
  assert.deepEqual([fwm.protocol, fwm.address, fwm.netmask], [undefined, undefined, '96']);
});

test('counter deltas: growth, nothing new, and a kernel zero', () => {
  const z = { conns: 0, inpkts: 0, outpkts: 0, inbytes: 0, outbytes: 0 };
  const a = { conns: 5, inpkts: 10, outpkts: 8, inbytes: 900, outbytes: 700 };
  assert.deepEqual(counterDelta(z, a), a);
  assert.equal(counterDelta(a, a), undefined);
  assert.deepEqual(counterDelta(a, { ...z, conns: 2 }), { ...z, conns: 2 });
});

function config(lvsSyncDaemon: Config['global']['lvsSyncDaemon']): Config {
  return {
    global: { lvsSyncDaemon },
    vrrpInstances: [{ name: 'VI_1', virtualRouterId: 51 }],
  } as unknown as Config;
}

test('lvs_sync_daemon: master with the instance, backup otherwise, syncid from the VRID', () => {
  const c = config({ interface: 'eth1', instance: 'VI_1', port: 8848, maxlen: 1400 });
  assert.deepEqual(
    wantedSyncDaemons(c, () => 'MASTER'),
    [{ state: 'master', mcastInterface: 'eth1', syncId: 51, syncMaxlen: 1400, mcastPort: 8848 }],
  );
  assert.equal(wantedSyncDaemons(c, () => 'BACKUP')[0]?.state, 'backup');
  assert.equal(wantedSyncDaemons(c, () => undefined)[0]?.state, 'backup');
  const noInstance = config({
    interface: 'eth1',
    port: 8848,
    syncId: 7,
    group: '239.0.0.1',
    ttl: 3,
  });
  assert.deepEqual(
    wantedSyncDaemons(noInstance, () => 'MASTER'),
    [
      {
        state: 'backup',
        mcastInterface: 'eth1',
        syncId: 7,
        mcastGroup: '239.0.0.1',
        mcastPort: 8848,
        mcastTtl: 3,
      },
    ],
  );
  assert.deepEqual(
    wantedSyncDaemons(config(undefined), () => 'MASTER'),
    [],
  );
});

test('sync daemon plan: keep a match, replace a differing one, stop only our own', () => {
  const b = { state: 'backup' as const, mcastInterface: 'eth1', syncId: 5 };
  const running = [
    { ...b, syncMaxlen: 1472, mcastGroup: '224.0.0.81', mcastPort: 8848, mcastTtl: 1 },
  ];
  assert.deepEqual(syncDaemonPlan(running, [b], new Set()), { stop: [], start: [] });
  assert.deepEqual(syncDaemonPlan(running, [{ ...b, syncId: 6 }], new Set()), {
    stop: ['backup'],
    start: [{ ...b, syncId: 6 }],
  });
  assert.deepEqual(syncDaemonPlan(running, [], new Set()), { stop: [], start: [] });
  assert.deepEqual(syncDaemonPlan(running, [], new Set(['backup'])), {
    stop: ['backup'],
    start: [],
  });
});
