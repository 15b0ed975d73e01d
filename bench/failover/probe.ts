// The client side of a failover measurement, for the bench and for interop tests: runs
// probe-child.js in a LAN host (a request to VIP:port every 10 ms, 50 ms connect timeout) and
// collects its per-request samples live. The client-visible gap is the longest time between two
// successful responses: what a user of the VIP saw as an outage.

import type { Lan } from '../../test/helpers/lan.js';
import { stopChild, type Child } from '../../test/helpers/processes.js';

export interface ProbeSample {
  /** Epoch ms (fractional) when the request started. */
  readonly t: number;
  readonly ok: boolean;
  /** The answering director's host name, for successful requests. */
  readonly host?: string;
  /** Duration of the request (or of the wait until it failed). */
  readonly ms: number;
  readonly err?: string;
}

export interface ProbeOptions {
  readonly target: string;
  readonly port?: number; // 8080
  readonly intervalMs?: number; // 10
  readonly connectTimeoutMs?: number; // 50
  readonly requestTimeoutMs?: number; // 250
  /** Upper bound on the probe's life; it exits by itself after this. */
  readonly maxMs?: number; // 30000
}

const CHILD = new URL('./probe-child.js', import.meta.url).pathname;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A running probe; samples grow as responses arrive. */
export class Probe {
  readonly samples: ProbeSample[] = [];
  #child: Child;

  private constructor(child: Child) {
    this.#child = child;
    let partial = '';
    child.proc.stdout?.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) if (line !== '') this.samples.push(JSON.parse(line) as ProbeSample);
    });
  }

  static start(lan: Lan, host: string, opts: ProbeOptions): Probe {
    const argv = [process.execPath, CHILD, '--target', opts.target];
    argv.push('--port', String(opts.port ?? 8080), '--interval', String(opts.intervalMs ?? 10));
    argv.push('--connect-timeout', String(opts.connectTimeoutMs ?? 50));
    argv.push('--request-timeout', String(opts.requestTimeoutMs ?? 250));
    argv.push('--max-ms', String(opts.maxMs ?? 30_000));
    return new Probe(lan.exec(host, argv));
  }

  /**
   * Resolves with the sample that completes `count` consecutive successes from `host` (any host
   * when undefined), looking at samples from index `from`; rejects after timeoutMs.
   */
  async waitForOk(host: string | undefined, count: number, timeoutMs: number, from = 0) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let run = 0;
      for (const s of this.samples.slice(from)) {
        run = s.ok && (host === undefined || s.host === host) ? run + 1 : 0;
        if (run >= count) return s;
      }
      if (Date.now() > deadline || this.#child.hasExited()) {
        const tail = this.samples.slice(-5).map((s) => JSON.stringify(s));
        throw new Error(
          `probe: no ${count} successes from ${host ?? 'any host'} in ${timeoutMs} ms; last:\n` +
            tail.join('\n'),
        );
      }
      await sleep(10);
    }
  }

  /** Stops the probe (in-flight requests finish first) and returns every sample. */
  async stop(): Promise<ProbeSample[]> {
    await stopChild(this.#child, 2000, 'SIGTERM');
    return this.samples;
  }
}

export interface Gap {
  /** Longest time (ms) between two consecutive successful responses. */
  readonly gapMs: number;
  /** Completion time of the last success before the gap and the first after it (epoch ms). */
  readonly from: number;
  readonly to: number;
  readonly failures: number;
}

/** The longest stretch without a successful response, measured on completion times. */
export function longestGap(samples: readonly ProbeSample[]): Gap {
  const done = samples
    .filter((s) => s.ok)
    .map((s) => s.t + s.ms)
    .sort((a, b) => a - b);
  let best: Gap = { gapMs: NaN, from: NaN, to: NaN, failures: 0 };
  for (let i = 1; i < done.length; i++) {
    const gap = done[i]! - done[i - 1]!;
    if (!(gap <= best.gapMs)) best = { gapMs: gap, from: done[i - 1]!, to: done[i]!, failures: 0 };
  }
  const failures = samples.filter((s) => !s.ok && s.t >= best.from && s.t <= best.to).length;
  return { ...best, failures };
}
