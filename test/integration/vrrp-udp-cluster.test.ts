// A two-director cluster on one machine without privileges: VRRP over UDP between 127.0.0.x
// addresses (vrrp_transport udp) and VIPs held as proxy listeners (vip_mode listener). The master
// serves the VIP; when it stops (priority 0) or dies (SIGKILL), the backup takes the listeners
// over and clients reach the VIP again.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTandem, type RunningTandem } from '../helpers/daemon.js';
import { curl, startHttpServer } from '../helpers/real-http.js';
import { freePort, freeUdpPort } from '../helpers/processes.js';

function conf(o: {
  self: string;
  peer: string;
  priority: number;
  vip: string;
  port: number;
  vrrpPort: number;
  rs: string;
  rsPort: number;
  extra?: string;
}): string {
  return `
global_defs { router_id ${o.self} }
vrrp_instance VI_1 {
  state BACKUP
  virtual_router_id 51
  priority ${o.priority}
  version 3
  advert_int 0.1
  vrrp_transport udp
  vrrp_udp_port ${o.vrrpPort}
  vip_mode listener
  unicast_src_ip ${o.self}
  unicast_peer { ${o.peer} }
  virtual_ipaddress { ${o.vip} }
  ${o.extra ?? ''}
}
virtual_server ${o.vip} ${o.port} {
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server ${o.rs} ${o.rsPort} { weight 1 }
}
`;
}

const entered = (state: string) => (r: { msg: string }) =>
  r.msg === `(VI_1) Entering ${state} STATE`;

async function cluster(t: { after: (fn: () => Promise<unknown>) => void }): Promise<{
  a: RunningTandem;
  b: RunningTandem;
  url: string;
  confA: string;
}> {
  const rs = await startHttpServer('127.0.0.1', 0);
  t.after(() => rs.stop());
  const port = await freePort('127.0.0.30');
  const vrrpPort = await freeUdpPort('127.0.0.31');
  const common = { vip: '127.0.0.30', port, vrrpPort, rs: '127.0.0.1', rsPort: rs.port };
  const confA = conf({ ...common, self: '127.0.0.31', peer: '127.0.0.32', priority: 150 });
  const a = startTandem(confA, [], 'all');
  t.after(() => a.stop());
  await a.waitFor(entered('MASTER'), 5000);
  const b = startTandem(
    conf({ ...common, self: '127.0.0.32', peer: '127.0.0.31', priority: 100 }),
    [],
    'all',
  );
  t.after(() => b.stop());
  await b.waitFor((r) => r.msg === '(VI_1) Entering BACKUP STATE (init)', 5000);
  return { a, b, url: `http://127.0.0.30:${port}/`, confA };
}

test('udp/listener cluster: the master serves the VIP, a clean stop hands it over at once', async (t) => {
  const { a, b, url } = await cluster(t);
  await a.waitFor((r) => r.msg === 'listening', 5000);
  assert.doesNotMatch(await curl(url), /^ERR/);
  // SIGUSR1: the status carries the VRRP engine's view, from its own thread.
  const status = (await a.status()) as {
    vrrp?: {
      instances: { name: string; state: string; vips: string[]; stats: { advertsSent: number } }[];
    };
  };
  const vi = status.vrrp?.instances[0];
  assert.equal(vi?.name, 'VI_1');
  assert.equal(vi.state, 'MASTER');
  assert.deepEqual(vi.vips, ['127.0.0.30']);
  assert.ok(vi.stats.advertsSent > 0);
  const t0 = performance.now();
  await a.stop();
  await b.waitFor(entered('MASTER'), 3000);
  const takeover = performance.now() - t0;
  // Priority 0 on shutdown: the backup waits only Skew_Time (≈ 0.06 s at priority 100, 0.1 s).
  assert.ok(takeover < 1500, `takeover took ${takeover} ms`);
  await b.waitFor((r) => r.msg === 'listening', 3000);
  assert.doesNotMatch(await curl(url), /^ERR/);
});

test('udp/listener cluster: SIGKILL of the master, the backup takes over after the master-down interval', async (t) => {
  const { a, b, url } = await cluster(t);
  a.proc.kill('SIGKILL');
  const t0 = performance.now();
  await b.waitFor(entered('MASTER'), 3000);
  const takeover = performance.now() - t0;
  assert.ok(takeover < 1000, `takeover took ${takeover} ms (MDI at 0.1 s adverts is 0.36 s)`);
  await b.waitFor((r) => r.msg === 'listening', 3000);
  assert.doesNotMatch(await curl(url), /^ERR/);
});

test('udp/listener cluster: the higher priority node preempts when it comes back', async (t) => {
  const { a, b, confA } = await cluster(t);
  await a.stop();
  await b.waitFor(entered('MASTER'), 3000);
  const a2 = startTandem(confA, [], 'all');
  t.after(() => a2.stop());
  await a2.waitFor(entered('MASTER'), 5000);
  await b.waitFor(
    (r) =>
      r.msg === '(VI_1) Master received advert from 127.0.0.31 with higher priority 150, ours 100',
    3000,
  );
  await b.waitFor(entered('BACKUP'), 3000);
});
