// Issue 9's acceptance for LVS-DR on the seed documents' topology (test/helpers/seed-topology.ts):
// real servers prepared by `tandem realserver start`, nginx on each, two directors, a client.
// The reference runs hand-written nftables DR rules under tandem's VRRP; the same scenario then
// runs on tandem alone, over its proxy (the harness's control: replies through the director) and
// over its nftables plane (replies straight from the real servers).

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
  'seed DR: hand-written nftables DR under tandem VRRP: every real server serves, replies go straight to the client, the backup takes over a crashed master',
  TIMEOUT,
  async (t) => {
    if (!prerequisites(t)) return;
    await referenceScenario(t, 'DR');
  },
);

test(
  'seed DR, tandem --dataplane proxy: rr alternates, a stopped web server leaves within the checker bound, the backup takes over',
  TIMEOUT,
  async (t) => {
    if (!prerequisites(t)) return;
    await planeScenario(t, { kind: 'DR', plane: 'proxy' });
  },
);

test(
  'seed DR, tandem --dataplane nft: rr alternates, replies straight from the real servers, a stopped web server leaves within the checker bound, the backup takes over',
  TIMEOUT,
  async (t) => {
    if (!prerequisites(t)) return;
    if (!requireNftPlane(t)) return;
    await planeScenario(t, { kind: 'DR', plane: 'nft' });
  },
);
