// `tandem demo --smoke`: the tour, run by the demo itself, each step's outcome checked on what
// the user would see (answers through the VIP, tandemadm's listing, the directors' log lines).
// It proves a machine can run the demo in one command (tests and CI use it) and exits 0 only
// when every step held.

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { DemoAnswer, DemoCommand } from './demo-control.js';
import type { DemoDirectorProcess, DirectorRecord } from './demo-director.js';
import type { DemoPlan } from './demo-plan.js';

const TANDEMADM = fileURLToPath(new URL('../cli/main.js', import.meta.url));

export interface SmokeContext {
  readonly plan: DemoPlan;
  readonly directors: ReadonlyMap<string, DemoDirectorProcess>;
  readonly command: (c: DemoCommand) => Promise<DemoAnswer>;
  readonly print: (line: string) => void;
  /** One GET of the VIP as the tour's curl makes it: the body, or why it failed. */
  readonly get: () => Promise<string>;
}

/** The record that says director `d`'s VIP is in place: its listener, or its announcement. */
export function vipReady(plan: DemoPlan): (r: DirectorRecord) => boolean {
  return plan.form === 'netns'
    ? (r) => r.msg.includes(`gratuitous ARPs on eth0 for ${plan.vip}`)
    : (r) => r.msg === 'listening' && r.address === plan.vip;
}

/** One GET through the VIP: the real server's number, or the failure's text. */
async function fetchVip(cx: SmokeContext): Promise<number | string> {
  const body = await cx.get();
  const m = /real server (\d+)/.exec(body);
  return m?.[1] === undefined ? `unexpected answer ${JSON.stringify(body)}` : Number(m[1]);
}

async function spread(cx: SmokeContext, count: number): Promise<Map<number | string, number>> {
  const hits = new Map<number | string, number>();
  for (let i = 0; i < count; i++) {
    const who = await fetchVip(cx);
    hits.set(who, (hits.get(who) ?? 0) + 1);
  }
  return hits;
}

/** `count` requests that must all be answered by real servers. */
async function answered(cx: SmokeContext, count: number): Promise<Map<number | string, number>> {
  // The VIP has just moved: the first request may race the new master's data plane.
  for (let i = 0; i < 20 && typeof (await fetchVip(cx)) !== 'number'; i++) {
    await new Promise((r) => setTimeout(r, 250));
  }
  const hits = await spread(cx, count);
  if ([...hits.keys()].some((who) => typeof who !== 'number')) {
    throw new Error(`expected every request answered, got ${show(hits)}`);
  }
  return hits;
}

function show(hits: Map<number | string, number>): string {
  return [...hits]
    .map(([who, k]) => (typeof who === 'number' ? `real server ${who}: ${k}` : `${who}: ${k}`))
    .join(', ');
}

function director(cx: SmokeContext, id: string): DemoDirectorProcess {
  const d = cx.directors.get(id);
  if (d === undefined) throw new Error(`no director ${id}`);
  return d;
}

const has =
  (text: string) =>
  (r: DirectorRecord): boolean =>
    r.msg.includes(text);

async function step(cx: SmokeContext, name: string, body: () => Promise<string>): Promise<void> {
  cx.print(`smoke: ${name} ...`);
  const detail = await body();
  cx.print(`smoke: ${name}: ok (${detail})`);
}

async function command(cx: SmokeContext, c: DemoCommand): Promise<void> {
  const a = await cx.command(c);
  if (!a.ok) throw new Error(a.text);
}

export async function runSmoke(cx: SmokeContext): Promise<boolean> {
  const { plan } = cx;
  const a = director(cx, 'a');
  const b = director(cx, 'b');
  const [rs1, rs2, rs3] = plan.realServers;
  if (rs1 === undefined || rs2 === undefined || rs3 === undefined) return false;
  try {
    await step(cx, '1. round robin', async () => {
      const bodies: string[] = [];
      for (let i = 0; i < 6; i++) bodies.push(await cx.get());
      const hits = new Map<number | string, number>();
      for (const body of bodies) {
        const who = Number(/real server (\d+)/.exec(body)?.[1] ?? Number.NaN);
        const key = Number.isNaN(who) ? `unexpected answer ${JSON.stringify(body)}` : who;
        hits.set(key, (hits.get(key) ?? 0) + 1);
      }
      for (const rs of plan.realServers) {
        if (hits.get(rs.n) !== 2) throw new Error(`expected 2 answers each, got ${show(hits)}`);
      }
      // LVS-DR keeps the client's address; a proxy connects from its own.
      const from = new Set(bodies.map((b) => /request from (\S+)/.exec(b)?.[1] ?? '?'));
      const client = plan.netns?.client.address;
      if (
        plan.dataplane === 'nft' &&
        client !== undefined &&
        (from.size !== 1 || !from.has(client))
      ) {
        throw new Error(`the real servers saw ${[...from].join(', ')}, not the client ${client}`);
      }
      return `${show(hits)}; the real servers saw requests from ${[...from].join(', ')}`;
    });
    await step(cx, '2. tandemadm -L -n', async () => {
      const { stdout } = await promisify(execFile)(process.execPath, [
        TANDEMADM,
        '--control',
        a.spec.control,
        '-L',
        '-n',
      ]);
      for (const rs of plan.realServers) {
        const method = plan.form === 'netns' ? 'Route' : 'Masq';
        const re = new RegExp(
          `-> ${rs.address.replaceAll('.', '\\.')}:${rs.port}\\s+${method}\\s+1\\s`,
        );
        if (!re.test(stdout)) throw new Error(`no line for ${rs.address} in:\n${stdout}`);
      }
      return `${plan.realServers.length} real servers listed`;
    });
    await step(cx, '3. a real server fails and returns', async () => {
      const from = [a.mark(), b.mark()] as const;
      await command(cx, { kind: 'rs', action: 'stop', n: rs2.n });
      const removing = has(`Removing service [${rs2.address}]:tcp:${rs2.port}`);
      await a.waitFor(removing, 10_000, from[0]);
      await b.waitFor(removing, 10_000, from[1]);
      await a.waitFor(has(`SMTP connection ERROR to [${plan.smtp.address}]`), 10_000, from[0]);
      const hits = await spread(cx, 4);
      if (hits.get(rs1.n) !== 2 || hits.get(rs3.n) !== 2) {
        throw new Error(`expected real servers 1 and 3 twice each, got ${show(hits)}`);
      }
      const back = [a.mark(), b.mark()] as const;
      await command(cx, { kind: 'rs', action: 'start', n: rs2.n });
      // Both directors, so the next steps start with every real server in either one's pool.
      const adding = has(`Adding service [${rs2.address}]:tcp:${rs2.port}`);
      await a.waitFor(adding, 10_000, back[0]);
      await b.waitFor(adding, 10_000, back[1]);
      return `removed, mail attempted, ${show(hits)}, added back`;
    });
    await step(cx, '4. failover', async () => {
      const from = b.mark();
      await command(cx, { kind: 'director', action: 'stop', id: 'a' });
      await b.waitFor(has('(VI_1) Entering MASTER STATE'), 5000, from);
      await b.waitFor(vipReady(plan), 5000, from);
      const hits = await answered(cx, 3);
      return `b is MASTER; ${show(hits)}`;
    });
    await step(cx, '5. fail back', async () => {
      const from = [a.mark(), b.mark()] as const;
      await command(cx, { kind: 'director', action: 'start', id: 'a' });
      await b.waitFor(has('(VI_1) Entering BACKUP STATE'), 10_000, from[1]);
      await a.waitFor(vipReady(plan), 10_000, from[0]);
      const hits = await answered(cx, 3);
      return `a is MASTER again; ${show(hits)}`;
    });
    cx.print('smoke: every step passed');
    return true;
  } catch (err) {
    cx.print(`smoke: FAILED: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
}
