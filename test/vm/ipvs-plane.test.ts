// Inside the test VM: the kernel IPVS data plane (src/dataplane/ipvs) programs tandem's table into
// a real kernel. After each sync, Debian's ipvsadm reading the kernel must list exactly what
// tandem lists for its own table (-S -n, -L -n, --thresholds, --tun-info): the seeds' DR
// configurations, a configuration with every scheduler, persistence with netmasks, thresholds,
// weights, fwmark, UDP, SCTP, IPv6 and tunnels; edits and deletions; adoption at start and
// release at stop; counters and connections read back from real traffic; the sync daemon.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { compileConfig, type Config } from '../../src/config/index.js';
import { IpvsDataPlane } from '../../src/dataplane/ipvs/plane.js';
import { wantedSyncDaemons } from '../../src/dataplane/ipvs/sync-daemons.js';
import {
  applyConfig,
  IpvsTable,
  runIpvsadm,
  runIpvsadmOn,
  schedulerFactory,
  tableBackend,
} from '../../src/ipvs/index.js';
import { ManualClock } from '../../src/lib/clock.js';
import { createLogger, memorySink } from '../../src/lib/log.js';
import { openIpvs } from '../../src/sys/ipvs-kernel.js';
import { FIXTURES } from '../helpers/paths.js';
import { kernelIpvsadm, requireVm, resetKernel, vmShell } from './helpers/kernel.js';
import { startRealServers } from './helpers/traffic.js';

const HOST = { hostname: 'tandem-vm', user: 'root', interfaces: new Set(['lo', 'eth0']) };
const VIEWS = [
  ['-S', '-n'],
  ['-L', '-n'],
  ['-L', '-n', '--thresholds'],
  ['-L', '-n', '--tun-info'],
];

interface Rig {
  readonly table: IpvsTable;
  readonly plane: IpvsDataPlane;
  readonly clock: ManualClock;
  readonly sink: ReturnType<typeof memorySink>;
  sync(): void;
}

function rig(t: TestContext, opts: { release?: boolean } = {}): Rig {
  const opened = openIpvs();
  if (!opened.ok) throw new Error(`openIpvs: ${opened.code}`);
  const clock = new ManualClock(0);
  const table = new IpvsTable({ now: () => clock.now(), schedulers: schedulerFactory });
  const sink = memorySink();
  const plane = new IpvsDataPlane({
    table,
    kernel: opened.kernel,
    clock,
    log: createLogger({ level: 'debug', write: sink.write }),
    ...(opts.release === undefined ? {} : { release: opts.release }),
  });
  t.after(() => plane.close());
  return { table, plane, clock, sink, sync: () => plane.sync(table.snapshot().services) };
}

function compile(t: TestContext, text: string): Config {
  const dir = mkdtempSync(join(tmpdir(), 'plane-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'keepalived.conf');
  writeFileSync(file, text);
  return compileFile(file);
}

function compileFile(file: string): Config {
  const r = compileConfig(file, HOST);
  assert.ok(r.ok, JSON.stringify(r.diagnostics));
  return r.config;
}

/** Every view: what ipvsadm reads from the kernel is what tandem lists for its table. */
function assertKernelIsTable(table: IpvsTable, what: string): void {
  for (const v of VIEWS) {
    const kernel = kernelIpvsadm(v);
    assert.equal(kernel.exitCode, 0, kernel.stderr);
    assert.equal(kernel.stdout, runIpvsadm(table, v).stdout, `${what}: ipvsadm ${v.join(' ')}`);
  }
}

for (const seed of ['seed000-master.conf', 'seed000-backup.conf', 'seed003-netseek-master.conf']) {
  test(`${seed}: programmed into the kernel, listed alike by ipvsadm`, (t) => {
    if (!requireVm(t)) return;
    resetKernel();
    const r = rig(t);
    applyConfig(r.table, compileFile(join(FIXTURES, 'config', seed)));
    r.sync();
    assertKernelIsTable(r.table, seed);
  });
}

/** Every kind of service and destination keepalived.conf can describe. */
const EVERYTHING = `
virtual_server 10.3.0.1 80 {
  lb_algo rr
  lb_kind DR
  protocol TCP
  persistence_timeout 300
  persistence_granularity 255.255.255.0
  real_server 10.4.0.1 80 {
    weight 3
    uthreshold 100
    lthreshold 10
  }
  real_server 10.4.0.2 80 {
    weight 0
  }
}
virtual_server 10.3.0.1 53 {
  lb_algo wrr
  lb_kind NAT
  protocol UDP
  real_server 10.4.0.3 5353 {
    weight 7
  }
}
virtual_server fwmark 21 {
  lb_algo sh
  lb_kind DR
  sh-port
  sh-fallback
  real_server 10.4.0.4 0 {
    weight 2
  }
}
virtual_server 2001:db8::100 443 {
  lb_algo mh
  lb_kind NAT
  protocol TCP
  mh-port
  persistence_timeout 60
  persistence_granularity 64
  real_server 2001:db8::200 8443 {
    weight 5
  }
}
virtual_server 10.3.0.2 8080 {
  lb_algo wlc
  lb_kind TUN
  protocol TCP
  ops
  real_server 10.4.0.5 8080 {
    lvs_method TUN type gue port 6080 csum
  }
  real_server 10.4.0.6 8080 {
    lvs_method TUN type gre
  }
  real_server 10.4.0.7 8080 {
  }
}
virtual_server 10.3.0.3 9000 {
  lb_algo nq
  lb_kind NAT
  protocol SCTP
  real_server 10.4.0.8 9000 {
  }
}
${['lc', 'sed', 'dh', 'lblc', 'lblcr', 'fo', 'ovf']
  .map(
    (s, i) => `virtual_server 10.3.1.${i + 1} 80 {
  lb_algo ${s}
  lb_kind DR
  protocol TCP
  real_server 10.4.1.${i + 1} 80 {
    weight ${i + 1}
  }
}`,
  )
  .join('\n')}
`;

test('every scheduler, persistence with netmask, thresholds, weights, fwmark, UDP, SCTP, IPv6, tunnels', (t) => {
  if (!requireVm(t)) return;
  resetKernel();
  const r = rig(t);
  applyConfig(r.table, compile(t, EVERYTHING));
  r.sync();
  assert.equal(r.plane.stats().kernel?.failures, 0, JSON.stringify(r.sink.records));
  assert.equal(r.table.snapshot().services.length, 13);
  assertKernelIsTable(r.table, 'everything');
  // Read back, the kernel's services and destinations are recognised as tandem's own: no
  // repair, and another sync sends nothing.
  r.clock.advance(2000);
  const requests = Number(r.plane.stats().kernel?.requests);
  r.sync();
  assert.equal(Number(r.plane.stats().kernel?.requests), requests);
  assert.ok(!r.sink.records.some((x) => x.msg.includes('changed outside tandem')));
  assert.equal(r.plane.stats().kernel?.polls, 1);
});

test('edits and deletions reach the kernel as single changes', (t) => {
  if (!requireVm(t)) return;
  resetKernel();
  const r = rig(t);
  applyConfig(r.table, compileFile(join(FIXTURES, 'config', 'seed000-master.conf')));
  r.sync();
  const vs = {
    kind: 'ip',
    protocol: 'TCP',
    family: 'inet',
    address: '192.168.138.200',
    port: 80,
  } as const;
  const steps: [string, () => void][] = [
    [
      'weight',
      () =>
        r.table.editDest(vs, { address: '192.168.138.3', port: 80, weight: 0, method: 'route' }),
    ],
    ['delete', () => r.table.deleteDest(vs, { address: '192.168.138.4', port: 80 })],
    [
      'add',
      () =>
        r.table.addDest(vs, {
          address: '192.168.138.5',
          port: 80,
          weight: 4,
          method: 'route',
          uThreshold: 9,
        }),
    ],
    [
      'scheduler',
      () =>
        r.table.editService({
          key: vs,
          scheduler: 'wlc',
          persistence: { timeout: 90, netmask: 16 },
        }),
    ],
    ['new service', () => r.table.addService({ key: { ...vs, port: 443 }, scheduler: 'sed' })],
    ['service gone', () => r.table.deleteService(vs)],
  ];
  for (const [what, step] of steps) {
    const before = Number(r.plane.stats().kernel?.requests);
    step();
    r.sync();
    const sent = Number(r.plane.stats().kernel?.requests) - before;
    assert.ok(sent <= 1, `${what}: ${sent} requests`);
    assertKernelIsTable(r.table, what);
  }
});

test("at start configured services are adopted, foreign ones kept; at stop only tandem's go", async (t) => {
  if (!requireVm(t)) return;
  resetKernel();
  for (const c of [
    '-A -t 192.168.138.200:80 -s wlc',
    '-a -t 192.168.138.200:80 -r 192.168.138.3:80 -g -w 1',
    '-a -t 192.168.138.200:80 -r 192.168.138.9:80 -g -w 1',
    '-A -t 10.9.9.9:22 -s rr',
  ]) {
    assert.equal(kernelIpvsadm(c.split(' ')).exitCode, 0);
  }
  const r = rig(t);
  applyConfig(r.table, compileFile(join(FIXTURES, 'config', 'seed000-master.conf')));
  r.sync();
  const kept = kernelIpvsadm(['-S', '-n']).stdout;
  assert.match(kept, /-A -t 10\.9\.9\.9:22 -s rr/);
  assert.doesNotMatch(kept, /192\.168\.138\.9/);
  assert.match(kept, /-A -t 192\.168\.138\.200:80 -s rr/);
  assert.equal(r.plane.stats().kernel?.adopted, 1);
  await r.plane.close();
  assert.equal(kernelIpvsadm(['-S', '-n']).stdout, '-A -t 10.9.9.9:22 -s rr\n');
  // --dont-release-ipvs: the services stay for the next tandem to adopt.
  const keep = rig(t, { release: false });
  applyConfig(keep.table, compileFile(join(FIXTURES, 'config', 'seed000-master.conf')));
  keep.sync();
  await keep.plane.close();
  assert.match(kernelIpvsadm(['-S', '-n']).stdout, /192\.168\.138\.200:80/);
  resetKernel();
});

test('traffic through the kernel is read back: counters, connection counts, -c, -Z', async (t) => {
  if (!requireVm(t)) return;
  resetKernel();
  const reals = await startRealServers([
    { address: '127.2.0.1', port: 8000 },
    { address: '127.2.0.2', port: 8000 },
  ]);
  t.after(() => reals.close());
  // The entries this traffic leaves would sit in the kernel's connection table for a minute and
  // show in later tests' `-c`: with expire_nodest_conn the kernel drops them with the service.
  const sysctl = '/proc/sys/net/ipv4/vs/expire_nodest_conn';
  t.after(async () => {
    vmShell(`echo 1 > ${sysctl}`);
    await r.plane.close();
    for (let i = 0; i < 40 && kernelIpvsadm(['-L', '-n', '-c']).stdout.split('\n').length > 3; i++)
      await new Promise((res) => setTimeout(res, 250));
    vmShell(`echo 0 > ${sysctl}`);
  });
  const r = rig(t);
  const vs = {
    kind: 'ip',
    protocol: 'TCP',
    family: 'inet',
    address: '127.1.0.1',
    port: 80,
  } as const;
  r.table.addService({ key: vs, scheduler: 'rr' });
  for (const a of ['127.2.0.1', '127.2.0.2'])
    r.table.addDest(vs, { address: a, port: 8000, weight: 1, method: 'masq' });
  r.sync();
  const N = 6;
  for (let i = 0; i < N; i++) {
    await new Promise<void>((resolve, reject) => {
      const s = createConnection({ host: '127.1.0.1', port: 80, localAddress: '127.0.0.5' }, () => {
        s.write('hello');
        s.end();
        resolve();
      });
      s.on('error', reject);
    });
  }
  // The kernel folds its per-CPU counters into what netlink reports every 2 s (the estimator).
  await new Promise((res) => setTimeout(res, 2500));
  const admin = (argv: readonly string[]) =>
    runIpvsadmOn(tableBackend(r.table, r.plane.adminHooks()), argv, { program: 'ipvsadm' }).stdout;
  // The listing through the daemon's path reads the kernel's counters first.
  const stats = admin(['-L', '-n', '--stats']);
  assert.equal(stats, kernelIpvsadm(['-L', '-n', '--stats']).stdout);
  const svc = r.table.snapshot().services[0];
  assert.equal(svc?.stats.conns, N);
  assert.equal(
    svc?.dests.reduce((n, d) => n + d.inactConns + d.activeConns, 0),
    N,
  );
  assert.equal(admin(['-L', '-n']), kernelIpvsadm(['-L', '-n']).stdout);
  const masked = (text: string) => text.replace(/ \d\d:\d\d /g, ' mm:ss ');
  assert.equal(masked(admin(['-L', '-n', '-c'])), masked(kernelIpvsadm(['-L', '-n', '-c']).stdout));
  assert.equal(admin(['-L', '-n', '-c']).split('\n').length, N + 3);
  // -Z through tandem zeroes the kernel's counters too.
  runIpvsadmOn(tableBackend(r.table, r.plane.adminHooks()), ['-Z'], {});
  assert.equal(admin(['-L', '-n', '--stats']), kernelIpvsadm(['-L', '-n', '--stats']).stdout);
  assert.match(
    kernelIpvsadm(['-L', '-n', '--stats']).stdout,
    /TCP {2}127\.1\.0\.1:80 +0 +0 +0 +0 +0/,
  );
});

test('lvs_sync_daemon: a backup daemon, then master with the VRRP instance, listed alike', async (t) => {
  if (!requireVm(t)) return;
  resetKernel();
  vmShell('ip link add tsync1 type dummy 2>/dev/null; ip link set tsync1 up multicast on');
  t.after(() => vmShell('ip link del tsync1 2>/dev/null || true'));
  const config = compile(
    t,
    `global_defs {
  lvs_sync_daemon tsync1 VI_1 maxlen 1200 port 8850
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 42
  priority 100
  virtual_ipaddress {
    10.3.9.1
  }
}
`,
  );
  const r = rig(t);
  let state = 'BACKUP';
  const configure = () =>
    r.plane.configure({
      flushAtStart: false,
      flushOnStop: false,
      syncDaemons: wantedSyncDaemons(config, () => state),
    });
  configure();
  r.sync();
  const admin = (argv: readonly string[]) =>
    runIpvsadmOn(tableBackend(r.table, r.plane.adminHooks()), argv, {}).stdout;
  assert.equal(
    kernelIpvsadm(['-L', '--daemon']).stdout,
    'backup sync daemon (mcast=tsync1, syncid=42, maxlen=1200, group=224.0.0.81, port=8850, ttl=1)\n',
  );
  state = 'MASTER';
  configure();
  const listed = kernelIpvsadm(['-L', '--daemon']).stdout;
  assert.match(listed, /^master sync daemon \(mcast=tsync1, syncid=42, maxlen=1200,/);
  assert.doesNotMatch(listed, /backup/);
  assert.equal(admin(['-L', '--daemon']), listed);
  await r.plane.close();
  assert.equal(kernelIpvsadm(['-L', '--daemon']).stdout, '');
});
