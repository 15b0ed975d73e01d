// /metrics: Prometheus text from a private prom-client registry, filled on each scrape from the
// status source (metric-families.ts), plus prom-client's process and Node.js metrics and the
// event-loop delay since the previous scrape. A private registry keeps tests and embedders from
// seeing each other's series; scrapes that arrive while one is being built share its result, so
// a burst of scrapers costs one status read.

import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { defineFamilies, fillFamilies, type Families } from './metric-families.js';
import type { StatusSource } from './status.js';

export interface MetricsOptions {
  readonly status: StatusSource;
  /** Registers further metrics (checker latency histograms, say) in the same registry. */
  readonly extraMetrics?: (registry: Registry) => void;
}

/** Nanoseconds to seconds. */
const NS = 1e-9;

export class StatusMetrics {
  readonly #registry = new Registry();
  readonly #status: StatusSource;
  readonly #families: Families;
  readonly #loop: IntervalHistogram;
  readonly #loopGauges: { p50: Gauge; p99: Gauge; max: Gauge };
  #inflight: Promise<string> | undefined;

  constructor(options: MetricsOptions) {
    this.#status = options.status;
    collectDefaultMetrics({ register: this.#registry });
    this.#families = defineFamilies(this.#registry);
    // 10 ms resolution: fine enough for the 100 ms-scale stalls that delay VRRP adverts.
    this.#loop = monitorEventLoopDelay({ resolution: 10 });
    this.#loop.enable();
    const g = (q: string, what: string) =>
      new Gauge({
        name: `tandem_event_loop_delay_${q}_seconds`,
        help: `Event-loop delay since the previous scrape: ${what}`,
        registers: [this.#registry],
      });
    this.#loopGauges = {
      p50: g('p50', 'median'),
      p99: g('p99', '99th percentile'),
      max: g('max', 'maximum'),
    };
    options.extraMetrics?.(this.#registry);
  }

  /** The Content-Type of scrape(): text format 0.0.4. */
  get contentType(): string {
    return this.#registry.contentType;
  }

  /** One exposition; rejects when the status source does. */
  scrape(): Promise<string> {
    this.#inflight ??= this.#build().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  /** Stops the event-loop monitor; the registry goes with the object. */
  close(): void {
    this.#loop.disable();
  }

  async #build(): Promise<string> {
    const status = await this.#status();
    fillFamilies(this.#families, status);
    const h = this.#loop;
    // An empty histogram reports NaN and an absurd minimum; 0 reads better before any sample.
    const sampled = h.count > 0;
    this.#loopGauges.p50.set(sampled ? h.percentile(50) * NS : 0);
    this.#loopGauges.p99.set(sampled ? h.percentile(99) * NS : 0);
    this.#loopGauges.max.set(sampled ? h.max * NS : 0);
    h.reset();
    return this.#registry.metrics();
  }
}
