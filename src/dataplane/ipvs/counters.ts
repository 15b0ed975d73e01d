// Kernel counters into the table (IpvsTable.absorbKernel): the kernel's per-destination counts
// are cumulative since the destination was created or last zeroed, the table wants what
// happened since the previous read. A count that went down means the kernel zeroed or
// recreated the destination (ipvsadm -Z behind tandem's back); the new count is then all new.

import type { RawCounters } from '../../ipvs/index.js';
import type { IpvsStats } from '../../sys/ipvs-netlink.js';

export const ZERO_COUNTERS: Readonly<RawCounters> = {
  conns: 0,
  inpkts: 0,
  outpkts: 0,
  inbytes: 0,
  outbytes: 0,
};

export function rawOf(s: IpvsStats): RawCounters {
  return {
    conns: s.conns,
    inpkts: s.inpkts,
    outpkts: s.outpkts,
    inbytes: s.inbytes,
    outbytes: s.outbytes,
  };
}

/** What happened between two reads; undefined when nothing did. */
export function counterDelta(
  last: Readonly<RawCounters>,
  now: Readonly<RawCounters>,
): RawCounters | undefined {
  const reset =
    now.conns < last.conns ||
    now.inpkts < last.inpkts ||
    now.outpkts < last.outpkts ||
    now.inbytes < last.inbytes ||
    now.outbytes < last.outbytes;
  const base = reset ? ZERO_COUNTERS : last;
  const d = {
    conns: now.conns - base.conns,
    inpkts: now.inpkts - base.inpkts,
    outpkts: now.outpkts - base.outpkts,
    inbytes: now.inbytes - base.inbytes,
    outbytes: now.outbytes - base.outbytes,
  };
  const any = d.conns + d.inpkts + d.outpkts + d.inbytes + d.outbytes > 0;
  return any ? d : undefined;
}
