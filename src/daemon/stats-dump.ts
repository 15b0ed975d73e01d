// keepalived's SIGUSR2 stats file (/tmp/keepalived.stats; ours is $TMPDIR/tandem.stats), one block
// per VRRP instance in the layout keepalived 2.2.7 writes (keepalived.md §4.4, checked against a
// real dump), so scripts that scrape it keep working. Rejected adverts are counted by reason in
// the engine; RX_REJECT_STATS says which line of the file each reason adds to.

import type { EngineStatus } from '../vrrp/index.js';
import { RX_REJECT_REASONS, RX_REJECT_STATS } from '../vrrp/receive.js';

type Stats = EngineStatus['instances'][number]['stats'];

function rejected(stats: Stats, line: string): number {
  let n = 0;
  for (const reason of RX_REJECT_REASONS) {
    if (RX_REJECT_STATS[reason] === line) n += stats.rejected[reason];
  }
  return n;
}

/** The stats file's text for every instance ('' without VRRP). */
export function renderStats(vrrp: EngineStatus | undefined): string {
  let out = '';
  for (const inst of vrrp?.instances ?? []) {
    const s = inst.stats;
    const pe = (what: string): number => rejected(s, `Packet Errors: ${what}`);
    const ae = (what: string): number => rejected(s, `Authentication Errors: ${what}`);
    out += `VRRP Instance: ${inst.name}
  Advertisements:
    Received: ${s.advertsReceived}
    Sent: ${s.advertsSent}
  Became master: ${s.becameMaster}
  Released master: ${s.releasedMaster}
  Packet Errors:
    Length: ${pe('Length')}
    TTL: ${pe('TTL')}
    Invalid Type: ${pe('Invalid Type')}
    Advertisement Interval: ${pe('Advertisement Interval')}
    Address List: ${pe('Address List')}
  Authentication Errors:
    Invalid Type: ${ae('Invalid Type')}
    Type Mismatch: ${ae('Type Mismatch')}
    Failure: ${ae('Failure')}
  Priority Zero:
    Received: ${s.priorityZeroReceived}
    Sent: ${s.priorityZeroSent}
`;
  }
  return out;
}
