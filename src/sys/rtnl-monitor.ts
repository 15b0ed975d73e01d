// Link and address change events from the kernel: a NETLINK_ROUTE socket subscribed to
// RTMGRP_LINK and RTMGRP_IPV{4,6}_IFADDR (linux/rtnetlink.h), as keepalived's netlink monitor
// uses them for track_interface and for noticing a VIP removed behind its back. Waiting happens
// in poll(2) run as a koffi async call on the libuv threadpool with a bounded timeout, and reads
// are MSG_DONTWAIT on the JS thread, so the event loop never blocks. close() is safe while a poll
// is in flight: the descriptor is closed only once that poll has returned, so the threadpool
// never polls a closed (or reused) descriptor number.

import { systemClock, type Clock } from '../lib/clock.js';
import type { Family } from '../lib/inet.js';
import { silentLogger, type Logger } from '../lib/log.js';
import { loadLibc } from './libc.js';
import {
  closeNetlink,
  MSG_DONTWAIT,
  netlinkRecv,
  openNetlink,
  RECV_BUFFER_SIZE,
  type RtnlFailure,
} from './netlink.js';
import { addressFromPayload } from './rtnl-addr.js';
import { decodeNlMessages, NLMSG, RTM, type NlMessage } from './rtnl-codec.js';
import { getLink, linkFromMessage, listLinks } from './rtnl-link.js';

// linux/rtnetlink.h RTMGRP_* (legacy group bitmask for sockaddr_nl.nl_groups); poll.h POLLIN.
const RTMGRP_LINK = 0x1;
const RTMGRP_IPV4_IFADDR = 0x10;
const RTMGRP_IPV6_IFADDR = 0x100;
const POLLIN = 0x1;
/** Reads per wake-up before yielding back to the event loop. */
const MAX_READS_PER_WAKE = 64;

export type RtnlEvent =
  | {
      readonly type: 'link';
      readonly ifname: string;
      readonly ifindex: number;
      readonly up: boolean;
    }
  | {
      readonly type: 'addr';
      readonly added: boolean;
      readonly ifname: string;
      readonly ifindex: number;
      readonly family: Family;
      readonly address: string;
      readonly prefixLength: number;
    }
  /** ENOBUFS: the kernel dropped events; re-read state with listLinks / listAddresses. */
  | { readonly type: 'overrun' };

export interface RtnlMonitorOptions {
  /** poll(2) timeout: the longest close() waits for the threadpool call to come back. */
  readonly pollMs?: number;
  readonly logger?: Logger;
  readonly clock?: Clock;
}

export type MonitorOpenResult = { readonly ok: true; readonly monitor: RtnlMonitor } | RtnlFailure;

export function openRtnlMonitor(
  what: { readonly links?: boolean; readonly addresses?: boolean },
  onEvent: (e: RtnlEvent) => void,
  opts: RtnlMonitorOptions = {},
): MonitorOpenResult {
  const groups =
    (what.links === true ? RTMGRP_LINK : 0) |
    (what.addresses === true ? RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR : 0);
  // A large receive buffer rides out bursts (many VIPs moving at once) without ENOBUFS.
  const opened = openNetlink(groups, { nonblocking: true, rcvbuf: 1 << 20 });
  if (!opened.ok) return opened;
  const names = new Map<number, string>();
  const links = listLinks();
  if (links.ok) for (const l of links.value) names.set(l.ifindex, l.ifname);
  return { ok: true, monitor: new RtnlMonitor(opened.fd, names, onEvent, opts) };
}

export class RtnlMonitor {
  readonly #fd: number;
  readonly #names: Map<number, string>;
  readonly #onEvent: (e: RtnlEvent) => void;
  readonly #pollMs: number;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #buf = new Uint8Array(RECV_BUFFER_SIZE);
  #closed = false;
  #polling = false;
  #cancelRetry: (() => void) | undefined;

  constructor(
    fd: number,
    names: Map<number, string>,
    onEvent: (e: RtnlEvent) => void,
    opts: RtnlMonitorOptions,
  ) {
    this.#fd = fd;
    this.#names = names;
    this.#onEvent = onEvent;
    this.#pollMs = opts.pollMs ?? 200;
    this.#logger = opts.logger ?? silentLogger;
    this.#clock = opts.clock ?? systemClock;
    this.#poll();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Stop delivering events; the socket closes now, or when the poll in flight returns. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#cancelRetry?.();
    if (!this.#polling) closeNetlink(this.#fd);
  }

  #poll(): void {
    const c = loadLibc();
    if (c === null || this.#closed) return;
    this.#polling = true;
    c.pollAsync(this.#fd, POLLIN, this.#pollMs, (n) => {
      this.#polling = false;
      if (this.#closed) {
        closeNetlink(this.#fd);
        return;
      }
      if (n > 0) this.#drain();
      if (n >= 0) {
        this.#poll();
        return;
      }
      // poll failed (EINTR, or koffi's async queue full): try again shortly, not in a spin.
      this.#cancelRetry = this.#clock.setTimer(this.#pollMs, () => {
        this.#cancelRetry = undefined;
        this.#poll();
      });
    });
  }

  #drain(): void {
    for (let i = 0; i < MAX_READS_PER_WAKE && !this.#closed; i++) {
      const got = netlinkRecv(this.#fd, this.#buf, MSG_DONTWAIT);
      if (!got.ok) {
        if (got.code === 'EAGAIN') return;
        if (got.code === 'ENOBUFS') {
          this.#logger.warn({ code: got.code }, 'netlink monitor overrun: events were lost');
          this.#emit({ type: 'overrun' });
          continue;
        }
        this.#logger.warn({ code: got.code }, 'netlink monitor read failed');
        return;
      }
      const msgs = decodeNlMessages(got.data);
      if (!msgs.ok) {
        this.#logger.warn({ reason: msgs.reason }, 'garbled netlink notification');
        continue;
      }
      for (const m of msgs.value) this.#dispatch(m);
    }
  }

  #dispatch(m: NlMessage): void {
    if (m.type === NLMSG.OVERRUN) this.#emit({ type: 'overrun' });
    if (m.type === RTM.NEWLINK || m.type === RTM.DELLINK) {
      const l = linkFromMessage(m);
      if (l === undefined) return;
      if (m.type === RTM.DELLINK) this.#names.delete(l.ifindex);
      else this.#names.set(l.ifindex, l.ifname);
      const up = m.type === RTM.NEWLINK && l.up;
      this.#emit({ type: 'link', ifname: l.ifname, ifindex: l.ifindex, up });
    } else if (m.type === RTM.NEWADDR || m.type === RTM.DELADDR) {
      const a = addressFromPayload(m.payload, this.#names);
      if (a === undefined) return;
      // An address on a link we have not seen yet (IPv6 carries no label to name it by).
      let ifname = this.#names.get(a.ifindex);
      if (ifname === undefined) {
        const l = getLink(a.ifindex);
        ifname = l.ok ? l.value.ifname : a.ifname;
        if (l.ok) this.#names.set(a.ifindex, ifname);
      }
      this.#emit({
        type: 'addr',
        added: m.type === RTM.NEWADDR,
        ifname,
        ifindex: a.ifindex,
        family: a.family,
        address: a.address,
        prefixLength: a.prefixLength,
      });
    }
  }

  #emit(e: RtnlEvent): void {
    try {
      this.#onEvent(e);
    } catch (err) {
      // A throwing listener must not stop the monitor for everyone else.
      this.#logger.error({ err }, 'netlink monitor listener threw');
    }
  }
}
