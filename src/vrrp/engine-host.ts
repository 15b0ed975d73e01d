// The daemon's handle on the VRRP engine thread (engine-worker.ts): it forwards configurations,
// relays transitions and listener-VIP changes back, and restarts a thread that dies — keepalived
// respawns its VRRP child the same way (keepalived.md §4.2), with a back-off so a thread that
// keeps crashing does not spin.

import { Worker } from 'node:worker_threads';
import type { Config } from '../config/model.js';
import type { Logger } from '../lib/log.js';
import type { LogOutput } from '../lib/log-format.js';
import type { EngineStatus, GroupTransitionEvent } from './engine.js';
import type { EngineWorkerInit, FromEngine, ToEngine } from './engine-protocol.js';
import type { TransitionEvent } from './instance.js';

export interface VrrpWorkerOptions {
  readonly log: Logger;
  readonly onTransition: (e: TransitionEvent) => void;
  readonly onGroupTransition?: (e: GroupTransitionEvent) => void;
  readonly onVips: (instance: string, addresses: readonly string[], held: boolean) => void;
  readonly workerUrl?: URL;
  /** How the thread writes its log lines; the daemon passes the same as its own. */
  readonly logOutput?: LogOutput;
}

const RESPAWN_MAX_MS = 60_000;

export class VrrpWorker {
  readonly #o: VrrpWorkerOptions;
  #worker: Worker | undefined;
  #config: Config | undefined;
  #seq = 0;
  readonly #pending = new Map<number, (s: EngineStatus | undefined) => void>();
  #loaded: (() => void) | undefined;
  #stopped: (() => void) | undefined;
  #stopping = false;
  #backoffMs = 1000;

  constructor(options: VrrpWorkerOptions) {
    this.#o = options;
  }

  /** Start or reload; resolves once the engine has reconciled its instances. */
  load(config: Config): Promise<void> {
    this.#config = config;
    const w = this.#worker ?? this.#spawn();
    return new Promise((resolve) => {
      this.#loaded = resolve;
      this.#post(w, { t: 'load', config });
    });
  }

  /** The engine's status; undefined if the thread is down. */
  status(): Promise<EngineStatus | undefined> {
    const w = this.#worker;
    if (w === undefined) return Promise.resolve(undefined);
    const id = ++this.#seq;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.#post(w, { t: 'status', id });
    });
  }

  /** Orderly stop: priority-0 adverts, VIPs released, then the thread ends. */
  async stop(): Promise<void> {
    this.#stopping = true;
    const w = this.#worker;
    if (w === undefined) return;
    await new Promise<void>((resolve) => {
      this.#stopped = resolve;
      this.#post(w, { t: 'stop' });
    });
    await w.terminate();
    this.#worker = undefined;
  }

  #post(w: Worker, m: ToEngine): void {
    w.postMessage(m);
  }

  #spawn(): Worker {
    const init: EngineWorkerInit = {
      logLevel: this.#o.log.level,
      ...(this.#o.logOutput === undefined ? {} : { logOutput: this.#o.logOutput }),
    };
    const w = new Worker(this.#o.workerUrl ?? new URL('./engine-worker.js', import.meta.url), {
      workerData: init,
    });
    this.#worker = w;
    w.on('message', (m: FromEngine) => this.#onMessage(m));
    w.on('error', (err) => this.#o.log.error({ err }, 'VRRP engine thread failed'));
    w.on('exit', (code) => {
      if (this.#worker !== w) return;
      this.#worker = undefined;
      for (const r of this.#pending.values()) r(undefined);
      this.#pending.clear();
      this.#stopped?.();
      if (this.#stopping) return;
      const delay = this.#backoffMs;
      this.#backoffMs = Math.min(RESPAWN_MAX_MS, this.#backoffMs * 2);
      this.#o.log.error(
        { code, delayMs: delay },
        `VRRP engine thread exited (code ${code}); restarting in ${delay / 1000} s`,
      );
      setTimeout(() => {
        const config = this.#config;
        if (this.#stopping || config === undefined) return;
        void this.load(config);
      }, delay).unref();
    });
    return w;
  }

  #onMessage(m: FromEngine): void {
    switch (m.t) {
      case 'loaded':
        this.#loaded?.();
        this.#loaded = undefined;
        return;
      case 'transition':
        this.#o.onTransition(m.e);
        return;
      case 'group':
        this.#o.onGroupTransition?.(m.e);
        return;
      case 'vips':
        this.#o.onVips(m.instance, m.addresses, m.held);
        return;
      case 'status': {
        const r = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        r?.(m.status);
        return;
      }
      case 'stopped':
        this.#stopped?.();
        this.#stopped = undefined;
        return;
      case 'error':
        this.#o.log.error({ message: m.message }, 'VRRP engine error');
        this.#loaded?.();
        this.#loaded = undefined;
        return;
      default:
        m satisfies never;
    }
  }
}
