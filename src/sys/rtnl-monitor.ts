// Link and address change events from the kernel: a NETLINK_ROUTE socket subscribed to
// RTMGRP_LINK and RTMGRP_IPV{4,6}_IFADDR (linux/rtnetlink.h), as keepalived's netlink monitor
// uses them for track_interface and for noticing a VIP removed behind its back. Readiness comes
// from libuv's poll handle on the calling thread's loop (poll-reader.ts) and reads are
// MSG_DONTWAIT, so the event loop never blocks and no threadpool thread is held.

import type { Family } from '../lib/inet.js';
import { silentLogger, type Logger } from '../lib/log.js';
import { PollReader } from './poll-reader.js';
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
  readonly logger?: Logger;
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
  readonly #logger: Logger;
  readonly #buf = new Uint8Array(RECV_BUFFER_SIZE);
  #closed = false;
  #reader: PollReader | undefined;

  constructor(
    fd: number,
    names: Map<number, string>,
    onEvent: (e: RtnlEvent) => void,
    opts: RtnlMonitorOptions,
  ) {
    this.#fd = fd;
    this.#names = names;
    this.#onEvent = onEvent;
    this.#logger = opts.logger ?? silentLogger;
    // Readiness from libuv's poll handle on this thread's loop (poll-reader.ts): no threadpool
    // thread is held and no timeout loop runs, however long the monitor lives.
    const started = PollReader.start(
      fd,
      () => this.#drain(),
      (code) => this.#logger.warn({ code }, 'netlink monitor poll failed'),
    );
    if (started.ok) this.#reader = started.reader;
    else this.#logger.warn({ code: started.code }, 'netlink monitor cannot watch its socket');
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Stop delivering events and close the socket. Idempotent, safe inside a callback. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#reader?.close();
    closeNetlink(this.#fd);
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
