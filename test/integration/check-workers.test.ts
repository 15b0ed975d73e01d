// The checker subsystem with its runners in worker threads (workers: 2), against real TCP
// listeners on 127.0.62.x: a stopped server goes down and leaves its pool, a restarted one comes
// back, reload keeps a down server down, keepalived's per-attempt lines arrive through the main
// thread's logger with their fields, and a killed worker is restarted with its checkers.
// Real timers (delay_loop 1) and bounded waits: worker runners schedule on the system clock.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { test, type TestContext } from 'node:test';
import type { CheckEvent } from '../../src/check/events.js';
import { CheckManager } from '../../src/check/manager.js';
import { probeFactory } from '../../src/check/probes.js';
import { CheckerShards } from '../../src/check/shards.js';
import { runnerSpec } from '../../src/check/spec.js';
import { compileConfig, memoryFs, type Config } from '../../src/config/index.js';
import { systemClock } from '../../src/lib/clock.js';
import { createLogger, memorySink, type LogRecord } from '../../src/lib/log.js';

interface Listener {
  readonly address: string;
  readonly port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

async function listener(t: TestContext, address: string): Promise<Listener> {
  let server: Server | undefined;
  let port = 0;
  const start = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const s = createServer((c) => c.destroy());
      s.once('error', reject);
      s.listen({ host: address, port }, () => {
        const a = s.address();
        if (a !== null && typeof a === 'object') port = a.port;
        server = s;
        resolve();
      });
    });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (server === undefined) resolve();
      else server.close(() => resolve());
      server = undefined;
    });
  await start();
  t.after(stop);
  return {
    address,
    get port() {
      return port;
    },
    stop,
    start,
  };
}

async function waitFor(what: string, ok: () => boolean, ms = 8000): Promise<void> {
  const end = performance.now() + ms;
  while (!ok()) {
    if (performance.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function compile(servers: readonly Listener[]): Config {
  const rs = servers.map(
    (s) => `    real_server ${s.address} ${s.port} {
        TCP_CHECK {
            connect_timeout 1
            retry 1
            delay_before_retry 1
        }
    }`,
  );
  const text = `virtual_server 10.62.0.1 80 {\n    delay_loop 1\n    lb_algo rr\n    protocol TCP\n${rs.join('\n')}\n}\n`;
  const r = compileConfig('/k.conf', { fs: memoryFs({ '/k.conf': text }) });
  assert.ok(r.ok, JSON.stringify(r.diagnostics));
  return r.config;
}

test('workers: 2 — down, up, reload keeps down, lines through the main logger', async (t) => {
  const a = await listener(t, '127.0.62.2');
  const b = await listener(t, '127.0.62.3');
  const c = await listener(t, '127.0.62.4');
  const sink = memorySink();
  const log = createLogger({ write: sink.write }).child({ subsys: 'check' });
  let pool: string[] = [];
  const events: CheckEvent[] = [];
  const manager = new CheckManager({
    clock: systemClock,
    random: Math.random,
    log,
    probes: probeFactory,
    writer: { apply: (_vs, dests) => (pool = dests.map((d) => `${d.address}:${d.port}`)) },
    runScript: () => undefined,
    workers: 2,
  });
  t.after(() => manager.stop());
  manager.onEvent((e) => events.push(e));
  const seen = (msg: string): LogRecord | undefined => sink.records.find((r) => r.msg === msg);
  const label = (s: Listener): string => `[${s.address}]:tcp:${s.port}`;
  const at = (s: Listener): string => `${s.address}:${s.port}`;
  const has = (type: string, s: Listener, n = 1): boolean =>
    events.filter((e) => e.type === type && 'rs' in e && e.rs === `${s.address}|${s.port}`)
      .length >= n;

  manager.load(compile([a, b]));
  assert.deepEqual(pool, [at(a), at(b)]);
  await waitFor('first successes', () =>
    [a, b].every((s) => seen(`TCP connection to ${label(s)} success.`) !== undefined),
  );
  // A worker's record, written by the main logger: its bindings and the runner's fields.
  const line = seen(`TCP connection to ${label(a)} success.`);
  assert.equal(line?.subsys, 'check');
  assert.equal(line.checker, 'TCP_CHECK');
  assert.equal(line.rs, label(a));
  assert.equal(line.level, 30);

  await a.stop();
  await waitFor('rs-down', () => has('rs-down', a));
  assert.ok(seen(`TCP_CHECK on service ${label(a)} failed after 1 retries.`));
  assert.deepEqual(pool, [at(b)]);
  await a.start();
  await waitFor('rs-up', () => has('rs-up', a));
  assert.deepEqual(pool, [at(a), at(b)]);

  // Down again, then reload with one more server: a's checker is kept, and so is its DOWN.
  await a.stop();
  await waitFor('second rs-down', () => has('rs-down', a, 2));
  manager.load(compile([a, b, c]));
  assert.deepEqual(pool, [at(b), at(c)]);
  await waitFor(
    'new server checked',
    () => seen(`TCP connection to ${label(c)} success.`) !== undefined,
  );
  assert.deepEqual(pool, [at(b), at(c)]);
  assert.equal(manager.timing().attempts > 0, true);
});

test('a killed worker is logged and restarted with its checkers', async (t) => {
  const a = await listener(t, '127.0.62.5');
  const config = compile([a]);
  const vs = config.virtualServers[0];
  const rs = vs?.realServers[0];
  const checker = rs?.checkers[0];
  assert.ok(vs !== undefined && rs !== undefined && checker !== undefined);
  const sink = memorySink();
  const transitions: boolean[] = [];
  const shards = new CheckerShards({
    count: 2,
    clock: systemClock,
    log: createLogger({ write: sink.write }),
    onTransition: (_id, up) => transitions.push(up),
    onWeight: () => undefined,
  });
  t.after(() => shards.close());
  const spec = runnerSpec('a', checker, { vs, rs, guardMs: 5000, logAllFailures: false });
  const handle = shards.runner(spec);
  handle.start();
  shards.flush(config);
  await waitFor('first success', () => sink.records.some((r) => r.msg.endsWith('success.')));
  const slot = shards.placement().get('a');
  assert.equal(typeof slot, 'number');
  await shards.kill(slot ?? 0);
  await waitFor('crash logged', () => sink.records.some((r) => r.level === 50));
  // The restarted runner still checks: stopping the server brings the checker down.
  await a.stop();
  await waitFor('down after restart', () => transitions.includes(false));
  assert.equal(handle.up, false);
});
