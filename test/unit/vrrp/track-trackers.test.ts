// Trackers: which trackers apply to which instance with which weight (own overrides, sync-group
// and address-owner rules), and the change fan-out, from configs compiled from text.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { compileConfig, memoryFs } from '../../../src/config/index.js';
import type { Config } from '../../../src/config/model.js';
import { ManualClock } from '../../../src/lib/clock.js';
import { createLogger, memorySink } from '../../../src/lib/log.js';
import { trackerBindings, Trackers } from '../../../src/vrrp/trackers.js';
import { fakeSpawner } from '../../helpers/fake-spawner.js';

function compile(text: string): Config {
  const r = compileConfig('/k.conf', {
    hostname: 'h',
    user: 'u',
    fs: memoryFs({ '/k.conf': text }),
  });
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
    [],
  );
  return r.config;
}

const instance = (name: string, vrid: number, body: string): string =>
  `vrrp_instance ${name} {\n state BACKUP\n interface eth0\n virtual_router_id ${vrid}\n priority 100\n virtual_ipaddress {\n 10.0.0.${vrid}\n }\n${body}\n}\n`;

const scripts = `vrrp_script chk_a {\n script "/bin/a"\n weight -20\n}\nvrrp_script chk_b {\n script "/bin/b"\n}\nvrrp_script chk_unused {\n script "/bin/u"\n}\n`;

test('track_script weight: the instance override wins, else the script weight and reverse', () => {
  const sink = memorySink();
  const cfg = compile(
    `vrrp_script chk_r {\n script "/bin/r"\n weight 10 reverse\n}\n${scripts}` +
      instance('VI_1', 1, ' track_script {\n chk_a weight 5 reverse\n chk_b\n chk_r\n }'),
  );
  const b = trackerBindings(cfg, createLogger({ write: sink.write }));
  assert.deepEqual(b.get('VI_1'), [
    { kind: 'script', name: 'chk_a', weight: 5, reverse: true },
    { kind: 'script', name: 'chk_b', weight: 0, reverse: false },
    { kind: 'script', name: 'chk_r', weight: 10, reverse: true },
  ]);
  assert.deepEqual(sink.records, []);
});

test('sync group members drop own weighted trackers (logged); group trackers keep weights', () => {
  const sink = memorySink();
  const cfg = compile(
    `${scripts}track_file tf1 {\n file "/tmp/x1"\n}\ntrack_file tf2 {\n file "/tmp/x2"\n weight 3\n}\n` +
      `vrrp_sync_group G {\n group {\n VI_1\n VI_2\n }\n track_script {\n chk_b weight 7\n }\n track_interface {\n eth3\n }\n}\n` +
      instance(
        'VI_1',
        1,
        ' track_script {\n chk_a\n chk_b\n }\n track_interface {\n eth1 weight 10\n eth2\n }\n track_file {\n tf1\n tf2\n }',
      ) +
      instance('VI_2', 2, ''),
  );
  const b = trackerBindings(cfg, createLogger({ write: sink.write }));
  assert.deepEqual(b.get('VI_1'), [
    { kind: 'interface', name: 'eth1', weight: 0, reverse: false },
    { kind: 'interface', name: 'eth2', weight: 0, reverse: false },
    { kind: 'script', name: 'chk_b', weight: 0, reverse: false }, // unweighted own entry kept
    { kind: 'file', name: 'tf1', weight: 0, reverse: false },
    { kind: 'interface', name: 'eth3', weight: 0, reverse: false },
  ]);
  assert.deepEqual(b.get('VI_2'), [
    { kind: 'script', name: 'chk_b', weight: 7, reverse: false },
    { kind: 'interface', name: 'eth3', weight: 0, reverse: false },
  ]);
  assert.deepEqual(
    sink.records.map((r) => r.msg),
    [
      '(VI_1) ignoring weight of tracked interface eth1 due to SYNC group',
      '(VI_1) ignoring tracked script chk_a with weights due to SYNC group',
      '(VI_1) ignoring weight from tracked file tf1 due to SYNC group - specify weight 0',
      '(VI_1) ignoring tracked file tf2 with weight 3 due to SYNC group',
    ],
  );
});

test('sync_group_tracking_weight keeps member weights', () => {
  const cfg = compile(
    `${scripts}vrrp_sync_group G {\n group {\n VI_1\n }\n sync_group_tracking_weight\n}\n` +
      instance('VI_1', 1, ' track_script {\n chk_a\n }'),
  );
  const sink = memorySink();
  assert.deepEqual(trackerBindings(cfg, createLogger({ write: sink.write })).get('VI_1'), [
    { kind: 'script', name: 'chk_a', weight: -20, reverse: false },
  ]);
  assert.deepEqual(sink.records, []);
});

test('an address owner ignores weighted trackers; its group clears group weights', () => {
  const sink = memorySink();
  const cfg = compile(
    scripts +
      instance(
        'VI_1',
        1,
        ' priority 255\n track_script {\n chk_a\n }\n track_interface {\n eth1 weight 5\n }',
      ),
  );
  assert.deepEqual(trackerBindings(cfg, createLogger({ write: sink.write })).get('VI_1'), []);
  assert.deepEqual(
    sink.records.map((r) => r.msg),
    [
      '(VI_1) ignoring tracked interface eth1 due to address owner',
      '(VI_1) ignoring tracked script chk_a with weights due to address_owner',
    ],
  );
  const sink2 = memorySink();
  const cfg2 = compile(
    `${scripts}vrrp_sync_group G {\n group {\n VI_1\n VI_2\n }\n track_script {\n chk_a\n }\n}\n` +
      instance('VI_1', 1, ' priority 255') +
      instance('VI_2', 2, ''),
  );
  const b2 = trackerBindings(cfg2, createLogger({ write: sink2.write }));
  assert.deepEqual(b2.get('VI_2'), [{ kind: 'script', name: 'chk_a', weight: 0, reverse: false }]);
  assert.deepEqual(
    sink2.records.map((r) => r.msg),
    [
      "(G) Cannot have weighted track script 'chk_a' with member having priority 255 - clearing weight",
    ],
  );
});

test('Trackers: states, change fan-out, link states, unused scripts not run', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-trk-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'prio');
  writeFileSync(file, '4\n');
  const cfg = compile(
    `${scripts}track_file tf {\n file "${file}"\n weight -10\n}\n` +
      instance(
        'VI_1',
        1,
        ' track_script {\n chk_a\n }\n track_interface {\n eth1\n }\n track_file {\n tf\n }',
      ) +
      instance('VI_2', 2, ' track_script {\n chk_a weight 3\n chk_b\n }'),
  );
  const clock = new ManualClock();
  const sink = memorySink();
  const spawner = fakeSpawner();
  const trk = new Trackers(cfg, {
    clock,
    logger: createLogger({ write: sink.write }),
    spawner,
    linkState: (i) => (i === 'eth1' ? true : undefined),
    useFsWatch: false,
  });
  t.after(() => trk.close());
  const changes: string[][] = [];
  trk.onChange((names) => changes.push([...names]));
  trk.start();
  assert.deepEqual(
    spawner.runs.map((r) => r.argv[0]),
    ['/bin/a', '/bin/b'],
  );
  assert.ok(sink.records.some((r) => r.msg === 'Warning - script chk_unused is not used'));
  assert.deepEqual(trk.statesFor('VI_1'), [
    { kind: 'interface', name: 'eth1', weight: 0, reverse: false, up: true },
    { kind: 'script', name: 'chk_a', weight: -20, reverse: false, up: false, pending: true },
    { kind: 'file', name: 'tf', weight: -10, reverse: false, up: true, value: 4 },
  ]);
  spawner.runs[0]?.exit(0);
  assert.deepEqual(changes, [['VI_1', 'VI_2']]);
  assert.deepEqual(trk.statesFor('VI_2')[0], {
    kind: 'script',
    name: 'chk_a',
    weight: 3,
    reverse: false,
    up: true,
  });
  trk.setLinkState('eth1', true);
  assert.equal(changes.length, 1, 'no change, no event');
  trk.setLinkState('eth1', false);
  trk.setLinkState('eth9', false);
  assert.deepEqual(changes.at(-1), ['VI_1']);
  assert.equal(changes.length, 2);
  spawner.runs[1]?.exit(0);
  assert.deepEqual(changes.at(-1), ['VI_2']);
  spawner.autoExit = 0;
  writeFileSync(file, '30\n');
  clock.advance(1000);
  assert.deepEqual(changes.at(-1), ['VI_1']);
  assert.equal(changes.length, 4);
  assert.deepEqual(trk.statesFor('VI_1')[2], {
    kind: 'file',
    name: 'tf',
    weight: -10,
    reverse: false,
    up: false,
    value: 30,
  });
  assert.deepEqual(trk.statesFor('nope'), []);
});
