// Issue 9's acceptance for LVS-NAT on the seed topology's NAT form: the real servers sit on a LAN
// behind the directors with a gateway VIP as their default route (test/helpers/seed-topology.ts).
// The reference runs hand-written nftables DNAT under tandem's VRRP (VIP and gateway in one sync
// group); the same scenario then runs on tandem alone, over its proxy (the harness's control) and
// over its nftables plane. Replies always come through the master.

import { test, type TestContext } from 'node:test';
import { requireNftPlane } from '../helpers/seed-directors.js';
import { planeScenario, referenceScenario } from '../helpers/seed-e2e.js';
import { requireRoot, requireTool } from '../helpers/tools.js';

const TOOLS = ['nft', 'curl', 'tcpdump', 'nginx', 'unshare'];
const TIMEOUT = { timeout: 120_000 };

function prerequisites(t: TestContext): boolean {
  if (!requireRoot(t, 'network namespaces, nftables')) return false;
  return TOOLS.every((tool) => requireTool(t, tool));
}

test(
  'seed NAT: hand-written nftables DNAT under tandem VRRP: every real server serves, replies come through the master, the backup takes over a crashed master',
  TIMEOUT,
  async (t) => {
    if (!prerequisites(t)) return;
    await referenceScenario(t, 'NAT');
  },
);

test(
  'seed NAT, tandem --dataplane proxy: rr alternates, a stopped web server leaves within the checker bound, the backup takes over',
  TIMEOUT,
  async (t) => {
    if (!prerequisites(t)) return;
    await planeScenario(t, { kind: 'NAT', plane: 'proxy' });
  },
);

test(
  'seed NAT, tandem --dataplane nft: rr alternates, replies through the master, a stopped web server leaves within the checker bound, the backup takes over',
  TIMEOUT,
  async (t) => {
    if (!prerequisites(t)) return;
    if (!requireNftPlane(t)) return;
    await planeScenario(t, { kind: 'NAT', plane: 'nft' });
  },
);
