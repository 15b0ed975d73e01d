// A miniature connection table for scheduler tests: it keeps destinations in the kernel's
// list order (new ones at the head), mutates counters in place and calls update() /
// countsChanged() exactly when the real table promises to.

import fc from 'fast-check';
import assert from 'node:assert/strict';
import type { LvsSched } from '../../../../src/config/model.js';
import type {
  SchedDest,
  SchedPacket,
  Scheduler,
  SchedulerOptions,
} from '../../../../src/ipvs/scheduler.js';
import { createScheduler } from '../../../../src/ipvs/schedulers/index.js';

export const PACKET: SchedPacket = {
  clientAddress: '192.0.2.10',
  clientPort: 40000,
  virtualAddress: '198.51.100.1',
  virtualPort: 80,
};

export interface HarnessOptions {
  sched1?: boolean;
  sched2?: boolean;
  random?: (n: number) => number;
  now?: () => number;
}

export interface Harness {
  readonly scheduler: Scheduler;
  /** Kernel order: most recently added first. */
  readonly dests: SchedDest[];
  get(name: string): SchedDest;
  nameOf(dest: SchedDest | undefined): string | undefined;
  add(name: string, weight: number, port?: number): SchedDest;
  remove(name: string): void;
  setWeight(name: string, weight: number): void;
  setOverloaded(name: string, overloaded: boolean): void;
  setCounts(name: string, active: number, inactive?: number): void;
  /** Schedule one connection; the pick gets activeConns + 1. Returns its name. */
  connect(packet?: SchedPacket): string | undefined;
  /** `n` connections; names, '-' for "no destination". */
  picks(n: number, packet?: SchedPacket): string[];
  /** End one active connection on `name`. */
  finish(name: string): void;
}

export function harness(sched: LvsSched, opts: HarnessOptions = {}): Harness {
  const options: SchedulerOptions = {
    sched1: opts.sched1 ?? false,
    sched2: opts.sched2 ?? false,
    sched3: false,
    random: opts.random ?? ((n) => Math.floor(Math.random() * n)),
    now: opts.now ?? (() => 0),
  };
  const scheduler = createScheduler(sched, options);
  const dests: SchedDest[] = [];
  const names = new Map<SchedDest, string>();
  let nextId = 1;
  const get = (name: string): SchedDest => {
    const d = dests.find((x) => names.get(x) === name);
    assert.ok(d, `no dest ${name}`);
    return d;
  };
  const h: Harness = {
    scheduler,
    dests,
    get,
    nameOf: (d) => (d === undefined ? undefined : names.get(d)),
    add(name, weight, port = 80) {
      const id = nextId++;
      const d: SchedDest = {
        id,
        address: `10.0.${id >> 8}.${id & 255}`,
        family: 'inet',
        port,
        weight,
        lastWeight: weight,
        activeConns: 0,
        inactConns: 0,
        persistConns: 0,
        overloaded: false,
      };
      names.set(d, name);
      dests.unshift(d);
      scheduler.update(dests);
      return d;
    },
    remove(name) {
      dests.splice(dests.indexOf(get(name)), 1);
      scheduler.update(dests);
    },
    setWeight(name, weight) {
      const d = get(name);
      d.weight = weight;
      if (weight > 0) d.lastWeight = weight;
      scheduler.update(dests);
    },
    setOverloaded(name, overloaded) {
      get(name).overloaded = overloaded;
      scheduler.update(dests);
    },
    setCounts(name, active, inactive) {
      const d = get(name);
      d.activeConns = active;
      if (inactive !== undefined) d.inactConns = inactive;
      scheduler.countsChanged(d);
    },
    connect(packet = PACKET) {
      const d = scheduler.select(packet);
      if (d === undefined) return undefined;
      d.activeConns++;
      scheduler.countsChanged(d);
      return names.get(d);
    },
    picks(n, packet) {
      return Array.from({ length: n }, () => h.connect(packet) ?? '-');
    },
    finish(name) {
      const d = get(name);
      d.activeConns--;
      scheduler.countsChanged(d);
    },
  };
  return h;
}

/** Share of each name in a pick sequence. */
export function shares(picks: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of picks) out[p] = (out[p] ?? 0) + 1;
  return out;
}

/** One random operation on the table; indices are taken modulo the list length. */
export type Op =
  | { kind: 'pick' }
  | { kind: 'end'; i: number }
  | { kind: 'counts'; i: number; active: number; inactive: number }
  | { kind: 'weight'; i: number; weight: number }
  | { kind: 'overload'; i: number; on: boolean }
  | { kind: 'add'; weight: number }
  | { kind: 'remove'; i: number };

const weightArb = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 5 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 ** 31 - 1 }) },
);

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: 'pick' as const }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('end' as const), i: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('counts' as const),
      i: fc.nat(),
      active: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 2 ** 23 })),
      inactive: fc.integer({ min: 0, max: 300 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('weight' as const), i: fc.nat(), weight: weightArb }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('overload' as const), i: fc.nat(), on: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('add' as const), weight: weightArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), i: fc.nat() }) },
);

export const scenarioArb = fc.record({
  initial: fc.array(weightArb, { minLength: 0, maxLength: 12 }),
  ops: fc.array(opArb, { maxLength: 120 }),
});

/**
 * Drive `sched` through random operations and check after every one that its pick equals
 * `reference(dests)`, a plain transcription of the kernel's linear scan.
 */
export function checkAgainstReference(
  sched: LvsSched,
  reference: (dests: readonly SchedDest[]) => SchedDest | undefined,
  runs = 300,
): void {
  fc.assert(
    fc.property(scenarioArb, ({ initial, ops }) => {
      const h = harness(sched);
      initial.forEach((w, i) => h.add(`d${i}`, w));
      let added = initial.length;
      const at = (i: number): SchedDest | undefined => h.dests[i % Math.max(1, h.dests.length)];
      for (const op of ops) {
        const d = op.kind === 'pick' || op.kind === 'add' ? undefined : at(op.i);
        const name = h.nameOf(d);
        switch (op.kind) {
          case 'pick': {
            const expected = reference(h.dests);
            const got = h.scheduler.select(PACKET);
            assert.equal(h.nameOf(got), h.nameOf(expected));
            if (got !== undefined) {
              got.activeConns++;
              h.scheduler.countsChanged(got);
            }
            break;
          }
          case 'end':
            if (name !== undefined && (d?.activeConns ?? 0) > 0) h.finish(name);
            break;
          case 'counts':
            if (name !== undefined) h.setCounts(name, op.active, op.inactive);
            break;
          case 'weight':
            if (name !== undefined) h.setWeight(name, op.weight);
            break;
          case 'overload':
            if (name !== undefined) h.setOverloaded(name, op.on);
            break;
          case 'add':
            h.add(`d${added++}`, op.weight);
            break;
          case 'remove':
            if (name !== undefined) h.remove(name);
            break;
        }
      }
      assert.equal(h.nameOf(h.scheduler.select(PACKET)), h.nameOf(reference(h.dests)));
    }),
    { numRuns: runs },
  );
}
