// Messages between the daemon and the VRRP engine's worker thread (engine-worker.ts). Plain,
// structured-clone-able data; the configuration travels as the compiled model.

import type { Config } from '../config/model.js';
import type { LogOutput } from '../lib/log-format.js';
import type { EngineStatus, GroupTransitionEvent } from './engine.js';
import type { TransitionEvent } from './instance.js';

export interface EngineWorkerInit {
  /** Numeric log level (lib/log.ts LEVELS). */
  readonly logLevel: number;
  /** Format and destinations of the thread's own lines (default: NDJSON on stdout). */
  readonly logOutput?: LogOutput;
}

export type ToEngine =
  | { readonly t: 'load'; readonly config: Config }
  | { readonly t: 'status'; readonly id: number }
  | { readonly t: 'stop' };

export type FromEngine =
  | { readonly t: 'loaded' }
  | { readonly t: 'transition'; readonly e: TransitionEvent }
  | { readonly t: 'group'; readonly e: GroupTransitionEvent }
  | {
      readonly t: 'vips';
      readonly instance: string;
      readonly addresses: readonly string[];
      readonly held: boolean;
    }
  | { readonly t: 'status'; readonly id: number; readonly status: EngineStatus }
  | { readonly t: 'stopped' }
  | { readonly t: 'error'; readonly message: string };
