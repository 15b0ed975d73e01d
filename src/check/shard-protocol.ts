// The messages between the CheckManager's worker pool (shards.ts, main thread) and a checker
// worker (worker.ts). Everything is structured-clone data: the manager sends runner specs and the
// configuration they came from; a worker sends back what its runners report, in order, batched
// per event-loop turn so thousands of simultaneous transitions cost one message.

import type { Config } from '../config/model.js';
import type { LogFields } from '../lib/log.js';
import type { RunnerSpec } from './spec.js';

export type ToWorker =
  /** Start these runners; `config` is the context their probes are built from. */
  | { readonly t: 'start'; readonly config: Config; readonly runners: readonly RunnerSpec[] }
  | { readonly t: 'stop'; readonly ids: readonly string[] };

/** One runner report; kept in the order the runners made them. */
export type WorkerReport =
  | { readonly t: 'transition'; readonly id: string; readonly up: boolean }
  | { readonly t: 'weight'; readonly id: string; readonly weight: number }
  | {
      readonly t: 'log';
      readonly level: number;
      readonly fields: LogFields;
      readonly msg: string;
    };

export type FromWorker =
  | { readonly t: 'reports'; readonly reports: readonly WorkerReport[] }
  /** Attempts completed and lateness samples (ms) since the previous stats message. */
  | {
      readonly t: 'stats';
      readonly attempts: number;
      readonly lateMs: Float64Array;
      /** The worker's longest event-loop delay in the period, ms. */
      readonly loopMaxMs: number;
    };

/** workerData: the lowest log level the main logger writes (numeric, as LEVELS). */
export interface WorkerInit {
  readonly logLevel: number;
  readonly statsMs: number;
}
