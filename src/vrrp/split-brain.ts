// Split-brain detection, which keepalived lacks: when adverts cannot cross between directors (a
// firewall dropping IP protocol 112 is the classic case), every node's Master_Down timer expires
// (RFC 3768 §6.4.2), all become MASTER and all hold the VIP, and none of them can tell from VRRP
// alone. While this node is MASTER it asks the link "who has VIP?" every `intervalMs`
// (sys/arp-probe.ts); a MAC other than ours answering means another node holds the VIP too.
//
// One answer is not yet an episode: during an ordinary preemption the old MASTER keeps the VIP
// until the new MASTER's first advert reaches it, so an episode needs `detectAfter` answered
// probes in a row, and ends after `clearAfter` silent ones (a lost reply must not end it). A
// failed probe (no CAP_NET_RAW, interface gone) changes neither count. IPv6 VIPs are not probed.

import type { Clock } from '../lib/clock.js';
import { parseIp } from '../lib/inet.js';
import type { Logger } from '../lib/log.js';
import type { ArpProbeRequest, ArpProbeResult } from '../sys/arp-probe.js';

/** One VIP this node holds as MASTER. */
export interface HeldVip {
  readonly instance: string;
  readonly ifname: string;
  readonly vip: string;
  /** This director's own address on `ifname` (its advert source), the probe's sender IP. */
  readonly source: string;
  /**
   * What carries this instance's adverts, for the warning's hint: 'VRRP, IP protocol 112' (the
   * default) or, with `vrrp_transport udp`, say 'VRRP over UDP port 11112'.
   */
  readonly advertPath?: string;
}

export type SplitBrainProbe = (req: ArpProbeRequest) => Promise<ArpProbeResult>;

export interface SplitBrainReport {
  readonly state: 'detected' | 'cleared';
  readonly instance: string;
  readonly vip: string;
  readonly ifname: string;
  /** MACs seen answering for the VIP during the episode. */
  readonly otherMacs: readonly string[];
  /** Clock time of the first answered probe of the episode. */
  readonly since: number;
  /** 'cleared' only: silence on the wire ('answers') or this node let the VIP go ('released'). */
  readonly why?: 'answers' | 'released';
}

export interface SplitBrainCounters {
  readonly probesSent: number;
  readonly probeErrors: number;
  /** Episodes detected since start. */
  readonly episodes: number;
  /** Episodes in progress. */
  readonly active: number;
}

export interface SplitBrainOptions {
  readonly probe: SplitBrainProbe;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The VIPs held as MASTER right now; asked once per round. */
  readonly held: () => readonly HeldVip[];
  readonly onReport?: (report: SplitBrainReport) => void;
  readonly intervalMs?: number;
  /** Probe window; kept below the interval. */
  readonly timeoutMs?: number;
  readonly detectAfter?: number;
  readonly clearAfter?: number;
}

interface Watch {
  readonly held: HeldVip;
  inFlight: boolean;
  answered: number;
  silent: number;
  firstAnswerAt: number;
  macs: string[];
  episode: boolean;
}

export class SplitBrainDetector {
  readonly #o: SplitBrainOptions;
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  readonly #watches = new Map<string, Watch>();
  /** Interfaces whose probes fail, with the last error, so it is logged once per failure run. */
  readonly #failing = new Map<string, string>();
  #stop: (() => void) | undefined;
  #probesSent = 0;
  #probeErrors = 0;
  #episodes = 0;

  constructor(options: SplitBrainOptions) {
    this.#o = options;
    this.#intervalMs = Math.max(1, options.intervalMs ?? 2000);
    this.#timeoutMs = Math.min(options.timeoutMs ?? 500, Math.floor(this.#intervalMs * 0.8));
  }

  /** Probe every interval until close(). Idempotent. */
  start(): void {
    this.#stop ??= this.#o.clock.every(this.#intervalMs, () => {
      this.#round();
    });
  }

  /** Stop probing; results of probes still on the wire are dropped. */
  close(): void {
    this.#stop?.();
    this.#stop = undefined;
    this.#watches.clear();
  }

  get counters(): SplitBrainCounters {
    let active = 0;
    for (const w of this.#watches.values()) if (w.episode) active++;
    return {
      probesSent: this.#probesSent,
      probeErrors: this.#probeErrors,
      episodes: this.#episodes,
      active,
    };
  }

  /** Episodes in progress, for status output. */
  active(): SplitBrainReport[] {
    return [...this.#watches.values()]
      .filter((w) => w.episode)
      .map((w) => this.#report(w, 'detected'));
  }

  #round(): void {
    const now = new Map<string, HeldVip>();
    for (const h of this.#o.held())
      if (parseIp(h.vip)?.family === 'inet') now.set(`${h.instance}\0${h.vip}`, h);
    for (const [key, w] of this.#watches)
      if (!now.has(key)) {
        this.#watches.delete(key);
        if (w.episode) this.#clear(w, 'released');
      }
    for (const [key, h] of now) {
      let w = this.#watches.get(key);
      if (w?.held.ifname !== h.ifname || w.held.source !== h.source) {
        if (w?.episode) this.#clear(w, 'released');
        w = {
          held: h,
          inFlight: false,
          answered: 0,
          silent: 0,
          firstAnswerAt: 0,
          macs: [],
          episode: false,
        };
        this.#watches.set(key, w);
      }
      if (!w.inFlight) this.#probe(key, w);
    }
  }

  #probe(key: string, w: Watch): void {
    w.inFlight = true;
    this.#probesSent++;
    const { ifname, vip, source } = w.held;
    this.#o
      .probe({ ifname, target: vip, source, timeoutMs: this.#timeoutMs })
      .catch((e: unknown): ArpProbeResult => {
        // An injected probe should return failures as values; a throw is treated as one.
        const code = (e as { code?: unknown } | null)?.code;
        return { ok: false, code: typeof code === 'string' ? code : 'EIO', syscall: 'probe' };
      })
      .then((r) => {
        w.inFlight = false;
        // Dropped meanwhile (close(), VIP released, interface changed): the result is stale.
        if (this.#watches.get(key) === w) this.#result(w, r);
      })
      .catch(() => undefined); // #result does not throw; keep the chain from floating
  }

  #result(w: Watch, r: ArpProbeResult): void {
    const { instance, ifname, vip } = w.held;
    if (!r.ok) {
      this.#probeErrors++;
      const what = `${r.syscall} ${r.code}`;
      if (this.#failing.get(ifname) !== what) {
        this.#failing.set(ifname, what);
        this.#o.logger.warn(
          { instance, ifname, vip, code: r.code, syscall: r.syscall },
          `(${instance}) split brain check cannot probe on ${ifname}: ${what}`,
        );
      }
      return;
    }
    this.#failing.delete(ifname);
    if (r.macs.length === 0) {
      w.answered = 0;
      if (w.episode && ++w.silent >= Math.max(1, this.#o.clearAfter ?? 2))
        this.#clear(w, 'answers');
      return;
    }
    w.silent = 0;
    if (w.answered++ === 0 && !w.episode) {
      w.firstAnswerAt = this.#o.clock.now();
      w.macs = [];
    }
    for (const m of r.macs) if (!w.macs.includes(m)) w.macs.push(m);
    if (w.episode || w.answered < Math.max(1, this.#o.detectAfter ?? 2)) return;
    w.episode = true;
    this.#episodes++;
    this.#o.logger.warn(
      { instance, ifname, vip, macs: w.macs },
      `(${instance}) split brain: VIP ${vip} is also answered by ${w.macs.join(', ')} — another ` +
        `director is MASTER too (is ${w.held.advertPath ?? 'VRRP, IP protocol 112'}, blocked ` +
        'between the directors?)',
    );
    this.#o.onReport?.(this.#report(w, 'detected'));
  }

  #clear(w: Watch, why: 'answers' | 'released'): void {
    const { instance, ifname, vip } = w.held;
    const report = { ...this.#report(w, 'cleared'), why };
    w.episode = false;
    w.answered = 0;
    w.silent = 0;
    w.macs = [];
    this.#o.logger.warn(
      { instance, ifname, vip, why },
      why === 'answers'
        ? `(${instance}) split brain over: only this director answers for ${vip}`
        : `(${instance}) split brain over: this director no longer holds ${vip}`,
    );
    this.#o.onReport?.(report);
  }

  #report(w: Watch, state: 'detected' | 'cleared'): SplitBrainReport {
    const { instance, ifname, vip } = w.held;
    return { state, instance, vip, ifname, otherMacs: [...w.macs], since: w.firstAnswerAt };
  }
}
