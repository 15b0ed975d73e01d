// The checker subsystem with a manual clock and scripted probe outcomes: exact detection times,
// alpha, inhibit_on_failure, several checkers per server, dynamic weights, quorum with the sorry
// server, reload keeping state, events. Real probes are tested against real services elsewhere.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CheckEvent } from '../../../src/check/events.js';
import type { DesiredDest } from '../../../src/check/health.js';
import { CheckManager, type ProbeFactory } from '../../../src/check/manager.js';
import type { ProbeResult } from '../../../src/check/probe.js';
import {
  compileConfig,
  memoryFs,
  type Config,
  type ScriptSpec,
} from '../../../src/config/index.js';
import { ManualClock } from '../../../src/lib/clock.js';
import { createLogger, memorySink } from '../../../src/lib/log.js';

function compile(text: string): Config {
  const r = compileConfig('/k.conf', { fs: memoryFs({ '/k.conf': text }) });
  assert.ok(r.ok, JSON.stringify(r.diagnostics));
  return r.config;
}

/** Per real-server address: 'up' answers at once, 'refused' fails at once, 'blackhole' times out. */
type Behaviour = 'up' | 'refused' | 'blackhole' | { weight: number };

function harness(text: string, isLocal?: (address: string) => boolean) {
  const clock = new ManualClock(0);
  const sink = memorySink();
  const log = createLogger({ write: sink.write, now: () => clock.now() });
  const behaviour = new Map<string, Behaviour>();
  const pools = new Map<string, DesiredDest[]>();
  const events: (CheckEvent & { at: number })[] = [];
  const scripts: string[] = [];
  const probes: ProbeFactory = (checker) => ({
    guardMs: 60_000,
    create: () => (target) =>
      new Promise<ProbeResult>((resolve) => {
        const b =
          behaviour.get(`${target.address}:${target.port}:${checker.type}`) ??
          behaviour.get(target.address) ??
          'up';
        const fail = (why: 'refused' | 'timeout'): ProbeResult => ({
          ok: false,
          failure: why,
          message: `TCP connection to ${target.label} ${why === 'timeout' ? 'timeout' : 'failed'}.`,
        });
        if (b === 'up')
          resolve({ ok: true, message: `TCP connection to ${target.label} success.` });
        else if (b === 'refused') resolve(fail('refused'));
        else if (b === 'blackhole')
          clock.setTimer(target.timeoutMs, () => resolve(fail('timeout')));
        else resolve({ ok: true, weight: b.weight, message: 'ok' });
      }),
  });
  const manager = new CheckManager({
    clock,
    random: () => 0,
    log,
    probes,
    writer: { apply: (vs, dests) => pools.set(vs.key, [...dests]) },
    runScript: (s: ScriptSpec, why) => scripts.push(`${why}: ${s.command}`),
    ...(isLocal === undefined ? {} : { localAddresses: () => isLocal }),
  });
  manager.onEvent((e) => events.push({ ...e, at: clock.now() }));
  const config = compile(text);
  /** Advance in 100 ms steps, letting probe promises settle between steps. */
  const advance = async (ms: number): Promise<void> => {
    for (let t = 0; t < ms; t += 100) {
      clock.advance(100);
      await new Promise((r) => setImmediate(r));
    }
  };
  const pool = (key: string): string[] =>
    (pools.get(key) ?? []).map((d) => `${d.address}:${d.port}=${d.weight}`);
  const lines = (): string[] => sink.records.map((r) => r.msg);
  const firstAt = (msg: string): number | undefined =>
    sink.records.find((r) => r.msg === msg)?.time;
  return {
    clock,
    manager,
    behaviour,
    pools,
    pool,
    events,
    scripts,
    config,
    advance,
    lines,
    firstAt,
  };
}

const SEED = (extra = '', rsExtra = '') => `
virtual_server 10.0.0.100 80 {
    delay_loop 6
    lb_algo rr
    lb_kind DR
    protocol TCP
${extra}
    real_server 10.0.0.2 80 {
        weight 1
${rsExtra}
        TCP_CHECK {
            connect_timeout 3
            nb_get_retry 3
            delay_before_retry 3
        }
    }
    real_server 10.0.0.3 80 {
        weight 1
        TCP_CHECK {
            connect_timeout 3
            nb_get_retry 3
            delay_before_retry 3
        }
    }
}
`;

for (const [kind, lo, hi] of [
  ['refused', 9, 15],
  ['blackhole', 21, 27],
] as const) {
  test(`seed settings: a ${kind} server is removed ${lo}–${hi} s after it fails (keepalived's formula)`, async () => {
    const h = harness(SEED());
    h.manager.load(h.config);
    await h.advance(20_000);
    assert.deepEqual(h.pool('tcp:10.0.0.100:80'), ['10.0.0.2:80=1', '10.0.0.3:80=1']);
    for (const offset of [0, 1500, 3000, 4500]) {
      const g = harness(SEED());
      g.manager.load(g.config);
      await g.advance(20_000 + offset);
      const failedAt = g.clock.now();
      g.behaviour.set('10.0.0.2', kind);
      await g.advance(40_000);
      const removed = g.firstAt('Removing service [10.0.0.2]:tcp:80 from VS [10.0.0.100]:tcp:80');
      assert.ok(removed !== undefined, g.lines().join('\n'));
      const took = (removed - failedAt) / 1000;
      assert.ok(took >= lo - 0.2 && took <= hi + 0.2, `${kind}: removed after ${took} s`);
      assert.deepEqual(g.pool('tcp:10.0.0.100:80'), ['10.0.0.3:80=1']);
      assert.ok(
        g.lines().includes('TCP_CHECK on service [10.0.0.2]:tcp:80 failed after 3 retries.'),
      );
    }
  });
}

test('recovery: one success within delay_loop re-adds the server, with keepalived’s lines', async () => {
  const h = harness(SEED());
  h.manager.load(h.config);
  h.behaviour.set('10.0.0.2', 'refused');
  await h.advance(30_000);
  assert.deepEqual(h.pool('tcp:10.0.0.100:80'), ['10.0.0.3:80=1']);
  h.behaviour.set('10.0.0.2', 'up');
  const back = h.clock.now();
  await h.advance(7_000);
  const added = h.firstAt('Adding service [10.0.0.2]:tcp:80 to VS [10.0.0.100]:tcp:80');
  assert.ok(added !== undefined && added - back <= 6_000 + 100);
  assert.ok(h.lines().includes('TCP connection to [10.0.0.2]:tcp:80 success.'));
  assert.deepEqual(h.pool('tcp:10.0.0.100:80'), ['10.0.0.2:80=1', '10.0.0.3:80=1']);
  assert.deepEqual(
    h.events.map((e) => `${e.type} ${'rs' in e ? e.rs : ''}`),
    ['rs-down 10.0.0.2|80', 'rs-up 10.0.0.2|80'],
  );
});

test('first failure after start-up is final even with retry 3 (without alpha)', async () => {
  const h = harness(SEED());
  h.behaviour.set('10.0.0.2', 'refused');
  h.manager.load(h.config);
  await h.advance(1_500);
  assert.ok(h.lines().includes('TCP_CHECK on service [10.0.0.2]:tcp:80 failed.'));
  assert.deepEqual(h.pool('tcp:10.0.0.100:80'), ['10.0.0.3:80=1']);
});

test('alpha: servers start out of the pool and join on their first success', () => {
  const h = harness(SEED('    alpha'));
  h.manager.load(h.config);
  assert.deepEqual(h.pool('tcp:10.0.0.100:80'), []);
  assert.ok(h.lines().includes('Starting with quorum down for VS [10.0.0.100]:tcp:80'));
  return h.advance(1_500).then(() => {
    assert.deepEqual(h.pool('tcp:10.0.0.100:80'), ['10.0.0.2:80=1', '10.0.0.3:80=1']);
  });
});

test('inhibit_on_failure keeps a failed server at weight 0 ("Disabling … / Enabling …")', async () => {
  const h = harness(SEED('', '        inhibit_on_failure'));
  h.manager.load(h.config);
  h.behaviour.set('10.0.0.2', 'refused');
  await h.advance(2_000);
  assert.deepEqual(h.pool('tcp:10.0.0.100:80'), ['10.0.0.2:80=0', '10.0.0.3:80=1']);
  assert.ok(h.lines().includes('Disabling service [10.0.0.2]:tcp:80 of VS [10.0.0.100]:tcp:80'));
  h.behaviour.set('10.0.0.2', 'up');
  await h.advance(7_000);
  assert.ok(h.lines().includes('Enabling service [10.0.0.2]:tcp:80 of VS [10.0.0.100]:tcp:80'));
  assert.deepEqual(h.pool('tcp:10.0.0.100:80'), ['10.0.0.2:80=1', '10.0.0.3:80=1']);
});

test('quorum lost → sorry server replaces the pool; regained → pool back, scripts run', async () => {
  const h = harness(
    SEED(`    quorum 2
    hysteresis 0
    sorry_server 10.0.0.9 80
    quorum_up "/bin/qup"
    quorum_down "/bin/qdown"`),
  );
  h.manager.load(h.config);
  h.behaviour.set('10.0.0.2', 'refused');
  await h.advance(2_000);
  assert.deepEqual(h.pool('tcp:10.0.0.100:80'), ['10.0.0.9:80=1']);
  const lines = h.lines();
  assert.ok(lines.includes('Lost quorum 2-0=2 > 1 for VS [10.0.0.100]:tcp:80'), lines.join('\n'));
  assert.ok(lines.includes('Adding sorry server [10.0.0.9]:tcp:80 to VS [10.0.0.100]:tcp:80'));
  h.behaviour.set('10.0.0.2', 'up');
  await h.advance(7_000);
  assert.ok(h.lines().includes('Gained quorum 2+0=2 <= 2 for VS [10.0.0.100]:tcp:80'));
  assert.deepEqual(h.pool('tcp:10.0.0.100:80'), ['10.0.0.2:80=1', '10.0.0.3:80=1']);
  assert.deepEqual(h.scripts, ['quorum_down: /bin/qdown', 'quorum_up: /bin/qup']);
});

test('two checkers on one server: it is alive only while both pass', async () => {
  const h = harness(`
virtual_server 10.0.0.100 80 {
    delay_loop 2
    lb_algo rr
    protocol TCP
    real_server 10.0.0.2 80 {
        TCP_CHECK {
            retry 0
        }
        MISC_CHECK {
            misc_path "/bin/true"
        }
    }
}
`);
  h.manager.load(h.config);
  h.behaviour.set('10.0.0.2:80:MISC_CHECK', 'refused');
  await h.advance(1_500);
  assert.deepEqual(h.pool('tcp:10.0.0.100:80'), []);
  h.behaviour.set('10.0.0.2:80:MISC_CHECK', 'up');
  await h.advance(2_500);
  assert.deepEqual(h.pool('tcp:10.0.0.100:80'), ['10.0.0.2:80=1']);
});

test('a dynamic weight (misc_dynamic) changes the pool weight and is logged', async () => {
  const h = harness(SEED());
  h.manager.load(h.config);
  h.behaviour.set('10.0.0.3', { weight: 5 });
  await h.advance(1_500);
  assert.ok(
    h
      .lines()
      .includes(
        'Changing weight from 1 to 5 for active service [10.0.0.3]:tcp:80 of VS [10.0.0.100]:tcp:80',
      ),
  );
  assert.deepEqual(h.pool('tcp:10.0.0.100:80'), ['10.0.0.2:80=1', '10.0.0.3:80=5']);
});

test('reload keeps the state of unchanged checkers: a failed server stays out, a new one starts up', async () => {
  const h = harness(SEED());
  h.manager.load(h.config);
  h.behaviour.set('10.0.0.2', 'refused');
  await h.advance(2_000);
  assert.deepEqual(h.pool('tcp:10.0.0.100:80'), ['10.0.0.3:80=1']);
  const more = SEED().replace(
    '    real_server 10.0.0.3 80 {',
    '    real_server 10.0.0.4 80 {\n        weight 1\n    }\n    real_server 10.0.0.3 80 {',
  );
  h.manager.load(compile(more));
  assert.deepEqual(h.pool('tcp:10.0.0.100:80'), ['10.0.0.4:80=1', '10.0.0.3:80=1']);
  await h.advance(7_000);
  assert.deepEqual(h.pool('tcp:10.0.0.100:80'), ['10.0.0.4:80=1', '10.0.0.3:80=1']);
});

test('ha_suspend: no checks while the VIP is not local; servers keep their state; resumed when it is', async () => {
  let local = true;
  const h = harness(SEED('    ha_suspend'), () => local);
  h.manager.load(h.config);
  h.behaviour.set('10.0.0.2', 'refused');
  await h.advance(2_000);
  assert.deepEqual(h.pool('tcp:10.0.0.100:80'), ['10.0.0.3:80=1']);
  local = false;
  h.manager.refreshLocal();
  assert.ok(
    h
      .lines()
      .includes(
        'Deactivating healthchecker for service [10.0.0.2]:tcp:80 for VS [10.0.0.100]:tcp:80',
      ),
  );
  h.behaviour.set('10.0.0.2', 'up');
  h.behaviour.set('10.0.0.3', 'refused');
  await h.advance(20_000);
  assert.deepEqual(h.pool('tcp:10.0.0.100:80'), ['10.0.0.3:80=1'], 'frozen while suspended');
  local = true;
  h.manager.refreshLocal();
  await h.advance(2_500);
  assert.deepEqual(h.pool('tcp:10.0.0.100:80'), ['10.0.0.2:80=1']);
});
