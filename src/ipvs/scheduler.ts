// The scheduler interface (house style §20): one file per algorithm under schedulers/, no I/O,
// kernel-exact picks (shared/reference/ipvs.md §1). The table owns destinations and their
// counters and tells the scheduler what changed; select() returns a destination or undefined
// ("no destination available" is a value, not an exception). Randomness and time are injected.

import type { Family } from '../lib/inet.js';
import type { LvsSched } from '../config/model.js';

/** The scheduler's view of a destination. The table mutates counters and flags in place. */
export interface SchedDest {
  /** Stable for the destination's life; unique within a service. */
  readonly id: number;
  readonly address: string;
  readonly family: Family;
  readonly port: number;
  weight: number;
  /** Latest non-zero weight (the kernel's last_weight, used by mh). */
  lastWeight: number;
  activeConns: number;
  inactConns: number;
  persistConns: number;
  overloaded: boolean;
}

/** What a scheduler may look at in the packet that opens a connection. */
export interface SchedPacket {
  readonly clientAddress: string;
  readonly clientPort: number;
  /** The packet's destination (VIP) address: lblc/lblcr/dh key on it. */
  readonly virtualAddress: string;
  readonly virtualPort: number;
}

export interface SchedulerOptions {
  /** IP_VS_SVC_F_SCHED1..3 (sh-fallback/sh-port, mh-fallback/mh-port, flag-3). */
  readonly sched1: boolean;
  readonly sched2: boolean;
  readonly sched3: boolean;
  /** Uniform integer in [0, n) — injected for twos. */
  readonly random: (n: number) => number;
  /** Milliseconds, monotonic — injected for lblc/lblcr expiry. */
  readonly now: () => number;
}

export interface Scheduler {
  readonly name: LvsSched;
  /**
   * The destination list changed (add, remove, weight or threshold edit, overload flag):
   * `dests` is the full list in the kernel's order (most recently added first).
   */
  update(dests: readonly SchedDest[]): void;
  /** A destination's activeConns/inactConns changed (schedulers that index counts use it). */
  countsChanged(dest: SchedDest): void;
  select(packet: SchedPacket): SchedDest | undefined;
}

export type SchedulerFactory = (options: SchedulerOptions) => Scheduler;
