// Retrying a listener that cannot bind yet (the VIP is not local and freebind is unavailable, or
// another process holds the port): every failure is counted, each distinct reason is logged once,
// and the listener tries again after `retryMs` until it is closed. Shared by TCP and UDP.

import type { Logger } from '../../lib/log.js';
import type { ProxyCounters } from './counters.js';

export class ListenRetry {
  readonly #log: Logger;
  readonly #counters: ProxyCounters;
  readonly #again: () => void;
  #retryMs: number;
  #timer: NodeJS.Timeout | undefined;
  #lastError = '';
  #closed = false;

  constructor(log: Logger, counters: ProxyCounters, retryMs: number, again: () => void) {
    this.#log = log;
    this.#counters = counters;
    this.#retryMs = retryMs;
    this.#again = again;
  }

  get closed(): boolean {
    return this.#closed;
  }

  failed(reason: string): void {
    this.#counters.listenErrors++;
    if (reason !== this.#lastError) {
      this.#log.warn({ reason, retryMs: this.#retryMs }, 'cannot listen; retrying');
      this.#lastError = reason;
    }
    if (this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#again();
    }, this.#retryMs);
  }

  succeeded(): void {
    this.#lastError = '';
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }
}
