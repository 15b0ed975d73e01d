import assert from 'node:assert/strict';
import { test } from 'node:test';
import { syncGroupDecide } from '../../../src/vrrp/sync-group.js';
import type { SyncGroupStateName } from '../../../src/vrrp/sync-group.js';
import { Driver, params, trace } from '../../helpers/vrrp-state.js';

/** Two members of group G driven through step() and syncGroupDecide, as the runtime will. */
function group(overrides: Parameters<typeof params>[0] = {}) {
  const m = {
    VI_1: new Driver(params({ name: 'VI_1', syncGroup: 'G', ...overrides })),
    VI_2: new Driver(params({ name: 'VI_2', vrid: 52, syncGroup: 'G', ...overrides })),
  };
  let groupState: SyncGroupStateName = 'INIT';
  const groupLog: string[] = [];
  const memberLog: string[] = [];
  const settle = (now: number): void => {
    for (let i = 0; i < 4; i++) {
      const views = Object.entries(m).map(([name, d]) => ({ name, ...d.s }));
      const r = syncGroupDecide('G', groupState, views);
      groupState = r.groupState;
      groupLog.push(...trace(r.actions));
      if (r.forced.length === 0) return;
      for (const f of r.forced)
        memberLog.push(...trace(m[f.member as keyof typeof m].at(now, f.event)));
    }
    assert.fail('sync group did not settle');
  };
  const at = (now: number, name: keyof typeof m, ev: Parameters<Driver['at']>[1]): void => {
    memberLog.push(...trace(m[name].at(now, ev)));
    settle(now);
  };
  return { m, at, settle, groupLog, memberLog, state: () => groupState };
}

test('a member whose timer expires waits in BACKUP until every member wants MASTER', () => {
  const g = group();
  g.at(0, 'VI_1', { type: 'start' });
  g.at(0, 'VI_2', { type: 'start' });
  assert.equal(g.state(), 'BACKUP');
  // VI_2 hears its master; VI_1 does not.
  g.at(3000, 'VI_2', { type: 'advert', from: '10.0.0.2', priority: 150, advertIntCs: 100 });
  g.at(3609.375, 'VI_1', { type: 'timer' });
  assert.equal(g.m.VI_1.s.state, 'BACKUP');
  assert.equal(g.m.VI_1.s.wantState, 'MASTER');
  assert.equal(g.m.VI_1.s.downAt, 3609.375 * 2);
  assert.deepEqual(g.groupLog, []);
  // Now VI_2's master goes silent too: the whole group goes MASTER together.
  g.memberLog.length = 0;
  g.at(6609.375, 'VI_2', { type: 'timer' });
  assert.deepEqual(g.groupLog, [
    'log:VRRP_Group(G) Syncing instances to MASTER state',
    'notify:MASTER',
  ]);
  assert.equal(g.state(), 'MASTER');
  assert.equal(g.m.VI_1.s.state, 'MASTER');
  assert.equal(g.m.VI_2.s.state, 'MASTER');
  assert.deepEqual(
    g.memberLog.filter((x) => x.includes('MASTER STATE')),
    ['log:(VI_1) Entering MASTER STATE', 'log:(VI_2) Entering MASTER STATE'],
  );
});

test('one member pushed to BACKUP by a higher priority drags the group to BACKUP', () => {
  const g = group();
  g.at(0, 'VI_1', { type: 'start' });
  g.at(0, 'VI_2', { type: 'start' });
  g.at(3609.375, 'VI_1', { type: 'timer' });
  g.at(3609.375, 'VI_2', { type: 'timer' });
  assert.equal(g.state(), 'MASTER');
  g.groupLog.length = 0;
  g.memberLog.length = 0;
  g.at(4000, 'VI_1', { type: 'advert', from: '10.0.0.2', priority: 150, advertIntCs: 100 });
  assert.deepEqual(g.groupLog, [
    'log:VRRP_Group(G) Syncing instances to BACKUP state',
    'notify:BACKUP',
  ]);
  assert.equal(g.m.VI_2.s.state, 'BACKUP');
  assert.deepEqual(g.memberLog.slice(-3), [
    'log:(VI_2) Entering BACKUP STATE',
    'remove-vips',
    'notify:BACKUP',
  ]);
  // VI_2's own timer expiring cannot take the group back while VI_1 follows a better master.
  g.at(4000 + 3609.375, 'VI_2', { type: 'timer' });
  assert.equal(g.m.VI_2.s.state, 'BACKUP');
  assert.equal(g.state(), 'BACKUP');
});

test('one member FAULT ⇒ all FAULT (masters send priority 0); cleared ⇒ all BACKUP', () => {
  const g = group();
  g.at(0, 'VI_1', { type: 'start' });
  g.at(0, 'VI_2', { type: 'start' });
  g.at(3609.375, 'VI_1', { type: 'timer' });
  g.at(3609.375, 'VI_2', { type: 'timer' });
  g.groupLog.length = 0;
  g.memberLog.length = 0;
  g.at(5000, 'VI_1', { type: 'fault', faulty: true });
  assert.deepEqual(g.groupLog, [
    'log:VRRP_Group(G) Syncing instances to FAULT state',
    'notify:FAULT',
  ]);
  assert.deepEqual(g.memberLog, [
    'log:(VI_1) Entering FAULT STATE',
    'send-advert:0',
    'remove-vips',
    'notify:FAULT',
    'log:(VI_2) Entering FAULT STATE',
    'send-advert:0',
    'remove-vips',
    'notify:FAULT',
  ]);
  assert.equal(g.state(), 'FAULT');
  assert.equal(g.m.VI_2.s.faulty, false);
  // The faulty member recovers: nobody is faulty, the group releases everyone to BACKUP.
  g.groupLog.length = 0;
  g.memberLog.length = 0;
  g.at(9000, 'VI_1', { type: 'fault', faulty: false });
  assert.deepEqual(g.groupLog, [
    'log:VRRP_Group(G) Syncing instances to BACKUP state',
    'notify:BACKUP',
  ]);
  assert.equal(g.m.VI_1.s.state, 'BACKUP');
  assert.equal(g.m.VI_2.s.state, 'BACKUP');
  assert.equal(g.m.VI_1.s.downAt, 9000 + 3609.375);
});

test('while another member is still faulty, a recovered one stays in FAULT', () => {
  const g = group();
  g.at(0, 'VI_1', { type: 'start' });
  g.at(0, 'VI_2', { type: 'start' });
  g.at(10, 'VI_1', { type: 'fault', faulty: true });
  g.at(20, 'VI_2', { type: 'fault', faulty: true });
  g.at(30, 'VI_1', { type: 'fault', faulty: false });
  assert.equal(g.m.VI_1.s.state, 'FAULT');
  assert.equal(g.state(), 'FAULT');
  g.at(40, 'VI_2', { type: 'fault', faulty: false });
  assert.equal(g.m.VI_1.s.state, 'BACKUP');
  assert.equal(g.m.VI_2.s.state, 'BACKUP');
});

test('decisions are a fixed point and wait for every member to start', () => {
  const views = [
    { name: 'A', state: 'MASTER', wantState: 'MASTER', faulty: false },
    { name: 'B', state: 'MASTER', wantState: 'MASTER', faulty: false },
  ] as const;
  assert.deepEqual(syncGroupDecide('G', 'MASTER', views), {
    groupState: 'MASTER',
    forced: [],
    actions: [],
  });
  assert.deepEqual(
    syncGroupDecide('G', 'INIT', [
      { name: 'A', state: 'BACKUP', wantState: 'MASTER', faulty: false },
      { name: 'B', state: 'INIT', wantState: 'BACKUP', faulty: false },
    ]),
    { groupState: 'INIT', forced: [], actions: [] },
  );
  assert.deepEqual(syncGroupDecide('G', 'INIT', []), {
    groupState: 'INIT',
    forced: [],
    actions: [],
  });
});
