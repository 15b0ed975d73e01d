// A checker worker thread: runs the CheckerRunners the main thread's pool (shards.ts) assigns to
// it — scheduling, probes, keepalived's per-attempt log lines — on its own event loop, so tens
// of thousands of connects a second never stall the main thread's proxy data plane. It owns no
// health state: it reports transitions, weights and log records back in order, and timing stats
// every `statsMs`. Probes come from the real probeFactory (functions do not cross threads).

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '../lib/clock.js';
import { createLogger, LEVELS, type LevelName, type LogRecord } from '../lib/log.js';
import { probeFactory } from './probes.js';
import type { CheckerRunner } from './runner.js';
import type { FromWorker, ToWorker, WorkerInit, WorkerReport } from './shard-protocol.js';
import { specRunner, type RunnerSpec } from './spec.js';

const port = parentPort;
if (port === null) throw new Error('src/check/worker.js runs only as a worker thread');
const init = workerData as WorkerInit;

let queue: WorkerReport[] = [];
let flushing = false;
function report(r: WorkerReport): void {
  queue.push(r);
  if (flushing) return;
  flushing = true;
  setImmediate(() => {
    flushing = false;
    const reports = queue;
    queue = [];
    post({ t: 'reports', reports });
  });
}

function post(m: FromWorker): void {
  port?.postMessage(m);
}

const level = (Object.entries(LEVELS).find(([, n]) => n === init.logLevel)?.[0] ??
  'info') as LevelName;
const log = createLogger({
  level,
  // The main thread's logger stamps the time again when it writes the record.
  write: (r: LogRecord) => {
    const { level: n, msg } = r;
    const fields: Record<string, unknown> = { ...r };
    for (const k of ['level', 'time', 'msg']) Reflect.deleteProperty(fields, k);
    report({ t: 'log', level: n, fields, msg });
  },
});

let attempts = 0;
let late: number[] = [];
const observe = {
  late: (ms: number) => late.push(ms),
  attempt: () => {
    attempts++;
  },
};
// The worker's own event-loop delay, reported with the stats (how busy this shard's loop is).
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
systemClock.every(init.statsMs, () => {
  const lateMs = Float64Array.from(late);
  post({ t: 'stats', attempts, lateMs, loopMaxMs: loopDelay.max / 1e6 });
  loopDelay.reset();
  attempts = 0;
  late = [];
});

const runners = new Map<string, CheckerRunner>();

function start(spec: RunnerSpec, config: Parameters<typeof probeFactory>[1]['config']): void {
  runners.get(spec.id)?.stop();
  const made = probeFactory(spec.checker, { vs: spec.vs, rs: spec.rs, config });
  if (made === undefined) {
    // The main thread only sends checkers its factory accepts; stay UP, as it would.
    log.warn({ checker: spec.checker.type }, `${spec.checker.type} cannot run in a worker`);
    return;
  }
  const id = spec.id;
  const runner = specRunner(spec, made.create(), {
    clock: systemClock,
    random: Math.random,
    log,
    observe,
    onTransition: (up) => report({ t: 'transition', id, up }),
    onWeight: (weight) => report({ t: 'weight', id, weight }),
  });
  runners.set(id, runner);
  runner.start();
}

port.on('message', (m: ToWorker) => {
  switch (m.t) {
    case 'start':
      for (const spec of m.runners) start(spec, m.config);
      break;
    case 'stop':
      for (const id of m.ids) {
        runners.get(id)?.stop();
        runners.delete(id);
      }
      break;
  }
});
