// What one checker runner needs, as plain data: the probe target, the retry timing and the log
// switches the manager derives from the configuration (connect_ip/connect_port over the real
// server's address, the checker's delay_loop over the virtual server's, keepalived's defaults).
// Plain data because it crosses into worker threads (shards.ts) as well as feeding in-thread
// runners; the checker, virtual server and real server ride along so a worker can build the probe.

import type { Checker, RealServer, VirtualServer } from '../config/model.js';
import { rsKey } from './health.js';
import { serviceLabel, vsPort } from './labels.js';
import type { Probe } from './probe.js';
import { CheckerRunner, type RunnerOptions, type RunnerSettings } from './runner.js';

export interface RunnerSpec extends RunnerSettings {
  /** The manager's checker id (stable across reloads while the definition is unchanged). */
  readonly id: string;
  readonly checker: Checker;
  readonly vs: VirtualServer;
  readonly rs: RealServer;
}

/** A checker's identity across reloads: where it is and everything it was configured with. */
export function checkerId(vs: VirtualServer, rs: RealServer, i: number, c: Checker): string {
  // Positions change when unrelated lines move; they are not part of the definition.
  const def = JSON.stringify(c, (k, v: unknown) => (k === 'at' ? undefined : v));
  return `${vs.key}|${rsKey(rs)}|${i}|${def}`;
}

export function runnerSpec(
  id: string,
  checker: Checker,
  cx: { vs: VirtualServer; rs: RealServer; guardMs: number; logAllFailures: boolean },
): RunnerSpec {
  const { vs, rs } = cx;
  const common = 'connectTimeout' in checker ? checker : undefined;
  const address = common?.connectIp ?? rs.address;
  const port = common?.connectPort ?? rs.port ?? vsPort(vs);
  const delayLoop = common?.delayLoop ?? vs.delayLoop;
  return {
    id,
    checker,
    vs,
    rs,
    target: {
      address,
      family: address.includes(':') ? 'inet6' : 'inet',
      port,
      label: serviceLabel(address, vs.protocol, port),
      ...(common?.bindto === undefined ? {} : { bindto: common.bindto }),
      ...(common?.bindPort === undefined ? {} : { bindPort: common.bindPort }),
      timeoutMs: (common?.connectTimeout ?? 5) * 1000,
    },
    timing: {
      delayLoop,
      delayBeforeRetry: common?.delayBeforeRetry ?? 1,
      retry: common?.retry ?? 1,
      warmup: common?.warmup ?? delayLoop,
    },
    alpha: common?.alpha ?? false,
    logAllFailures: (common?.logAllFailures ?? false) || cx.logAllFailures,
    guardMs: cx.guardMs,
  };
}

/** The runner for `spec` with its probe; the callbacks say where its reports go. */
export function specRunner(
  spec: RunnerSpec,
  probe: Probe,
  deps: Pick<RunnerOptions, 'clock' | 'random' | 'log' | 'onTransition' | 'onWeight' | 'observe'>,
): CheckerRunner {
  return new CheckerRunner({
    ...deps,
    type: spec.checker.type,
    probe,
    guardMs: spec.guardMs,
    target: spec.target,
    timing: spec.timing,
    alpha: spec.alpha,
    logAllFailures: spec.logAllFailures,
    ...(spec.initial === undefined ? {} : { initial: spec.initial }),
  });
}
