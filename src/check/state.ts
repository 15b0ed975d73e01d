// One checker's retry state machine, exactly keepalived's (keepalived.md §3.1; check_tcp.c
// tcp_epilog and its siblings). Pure: the runner feeds it attempt outcomes and gets back the next
// state, when to run again, and what to log.
//
// Quirks kept on purpose, because operators' detection-time arithmetic depends on them:
// - without alpha a checker starts UP with its retry counter preset to `retry`, so the first
//   failure after start-up marks it DOWN at once (keepalived issue #1191);
// - with alpha it starts DOWN and one success brings it UP;
// - no retries while DOWN: a down checker just runs again after delay_loop;
// - one success brings a DOWN checker back (there is no "rise" for checkers).

export interface CheckerTiming {
  /** Seconds. */
  readonly delayLoop: number;
  readonly delayBeforeRetry: number;
  readonly retry: number;
}

export interface CheckerState {
  readonly up: boolean;
  readonly hasRun: boolean;
  /** keepalived's retry_it. */
  readonly retryIt: number;
}

export type Transition = 'up' | 'down' | undefined;

export interface Step {
  readonly state: CheckerState;
  /** Milliseconds until the next attempt. */
  readonly nextMs: number;
  readonly transition: Transition;
  /**
   * What keepalived logs for this outcome: `success` (the probe's success line: first run or
   * coming up), `failed` ("<CHECK> on service X failed."), `failed-after` ("… failed after N
   * retries.", N = retry), or nothing.
   */
  readonly log: 'success' | 'failed' | 'failed-after' | undefined;
}

/** keepalived presets retry_it to retry, so the first failure after start-up is final. */
export function initialState(alpha: boolean, retry: number): CheckerState {
  return { up: !alpha, hasRun: false, retryIt: retry };
}

export function step(s: CheckerState, ok: boolean, t: CheckerTiming): Step {
  const loop = t.delayLoop * 1000;
  if (ok) {
    return {
      state: { up: true, hasRun: true, retryIt: 0 },
      nextMs: loop,
      transition: s.up ? undefined : 'up',
      log: !s.up || !s.hasRun ? 'success' : undefined,
    };
  }
  if ((s.up || !s.hasRun) && s.retryIt >= t.retry) {
    return {
      state: { up: false, hasRun: true, retryIt: 0 },
      nextMs: loop,
      transition: s.up ? 'down' : undefined,
      log: s.hasRun && t.retry > 0 ? 'failed-after' : 'failed',
    };
  }
  if (s.up) {
    return {
      state: { up: true, hasRun: true, retryIt: s.retryIt + 1 },
      nextMs: t.delayBeforeRetry * 1000,
      transition: undefined,
      log: undefined,
    };
  }
  // Down: no retries, the next attempt after delay_loop.
  return { state: { ...s, hasRun: true }, nextMs: loop, transition: undefined, log: undefined };
}

/** When the first attempt runs: 1 s plus a random share of warmup (spreads thousands of checks). */
export function firstRunMs(warmup: number, random: () => number): number {
  return 1000 + Math.floor(random() * warmup * 1000);
}

/**
 * Worst and best detection time of a dead server from keepalived's formula (§3.1), in seconds:
 * the wait for the next run, then retry+1 attempts and retry pauses. Refused connects take ~0.
 */
export function detectionBounds(
  t: CheckerTiming,
  connectTimeout: number,
): { best: number; worst: number } {
  const pauses = t.retry * t.delayBeforeRetry;
  return { best: pauses, worst: t.delayLoop + (t.retry + 1) * connectTimeout + pauses };
}
