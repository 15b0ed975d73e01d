// The shared setup of the tandem ↔ keepalived interop tests: a namespace LAN with two directors
// (d1, d2) running an HTTP echo and a client, plus starters for tandem and keepalived nodes that
// are all killed in `t.after`. Each test file builds its own, so the files run in parallel.

import type { TestContext } from 'node:test';
import { Keepalived, keepalivedConf, type VrrpInstanceParams } from './keepalived.js';
import { createLan, type Lan } from './lan.js';
import { startHttpEcho } from './lan-http.js';
import { stopChild } from './processes.js';
import { TandemNode } from './tandem-node.js';

// keepalived's lines carry a timestamp prefix; tandem's are the record's message.
export const MASTER = /\(VI_1\) Entering MASTER STATE$/;
export const BACKUP = /\(VI_1\) Entering BACKUP STATE/;

export interface InteropCluster {
  readonly lan: Lan;
  readonly tandem: (host: string, inst: VrrpInstanceParams) => TandemNode;
  readonly keepalived: (host: string, inst: VrrpInstanceParams) => Keepalived;
}

/** The LAN (d1, d2, client with arp_accept) with HTTP echoes on d1 and d2. */
export async function interopCluster(
  t: TestContext,
  opts: { ipv6?: boolean } = {},
): Promise<InteropCluster> {
  const lan = createLan(t, { hosts: ['d1', 'd2', 'client'], ipv6: opts.ipv6 === true });
  lan.arpAccept('client');
  for (const h of ['d1', 'd2']) {
    const server = await startHttpEcho(lan, h);
    t.after(() => stopChild(server));
  }
  const nodes: { kill(): Promise<void> }[] = [];
  t.after(async () => {
    for (const n of nodes) await n.kill();
  });
  return {
    lan,
    tandem: (host, inst) => {
      const n = TandemNode.start(lan, host, keepalivedConf(host, [inst]));
      nodes.push(n);
      return n;
    },
    keepalived: (host, inst) => {
      const k = Keepalived.start(lan, host, keepalivedConf(host, [inst]));
      nodes.push(k);
      return k;
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** True when any line from index `from` on matches re. */
export function logged(
  node: { lines: readonly { text: string }[] },
  re: RegExp,
  from = 0,
): boolean {
  return node.lines.slice(from).some((l) => re.test(l.text));
}
