// Seeded random event sequences through step(): whatever arrives, the state stays coherent —
// each state has exactly the deadlines it needs, time never runs backwards in them, and a
// VIP is never added twice or removed while not held.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { initialState, nextDeadline, step } from '../../../src/vrrp/state.js';
import type { VrrpEvent } from '../../../src/vrrp/state.js';
import { params } from '../../helpers/vrrp-state.js';

const event: fc.Arbitrary<VrrpEvent> = fc.oneof(
  fc.constant({ type: 'timer' } as const),
  fc.constant({ type: 'timer' } as const),
  fc.record({
    type: fc.constant('advert' as const),
    from: fc.constantFrom('10.0.0.0', '10.0.0.1', '10.0.0.2'),
    priority: fc.constantFrom(0, 1, 50, 100, 150, 255),
    advertIntCs: fc.constantFrom(10, 100, 200),
  }),
  fc.record({
    type: fc.constant('priority' as const),
    effective: fc.integer({ min: 1, max: 254 }),
  }),
  fc.record({ type: fc.constant('fault' as const), faulty: fc.boolean() }),
  fc.constant({ type: 'shutdown' } as const),
);

test('random event sequences keep the state coherent', () => {
  fc.assert(
    fc.property(
      fc.record({
        version: fc.constantFrom(2 as const, 3 as const),
        basePriority: fc.constantFrom(50, 100, 255),
        initialState: fc.constantFrom('MASTER' as const, 'BACKUP' as const),
        nopreempt: fc.boolean(),
        preemptDelayMs: fc.constantFrom(0, 2000),
      }),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 3000 }), event), { maxLength: 60 }),
      (o, events) => {
        const p = params(o);
        let s = step(p, initialState(p), { type: 'start' }, 0).state;
        let now = 0;
        let vips = s.state === 'MASTER';
        for (const [dt, ev] of events) {
          now += dt;
          const due = nextDeadline(s);
          const t = ev.type === 'timer' && due !== undefined ? Math.max(now, due) : now;
          now = t;
          const r = step(p, s, ev, t);
          for (const a of r.actions) {
            if (a.type === 'add-vips') assert.equal(vips, false, 'add-vips while held');
            if (a.type === 'remove-vips') assert.equal(vips, true, 'remove-vips while not held');
            if (a.type === 'add-vips') vips = true;
            if (a.type === 'remove-vips') vips = false;
          }
          s = r.state;
          assert.equal(vips, s.state === 'MASTER');
          assert.equal(s.advertAt !== undefined, s.state === 'MASTER');
          assert.equal(s.downAt !== undefined, s.state === 'BACKUP');
          const next = nextDeadline(s);
          if (next !== undefined) assert.ok(next > t || ev.type !== 'timer', 'due deadline left');
          assert.ok(s.effectivePriority >= 1 && s.effectivePriority <= 255);
        }
      },
    ),
    { seed: 3768, numRuns: 300 },
  );
});
