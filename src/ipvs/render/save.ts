// `ipvsadm -S -n` (and `ipvsadm-save -n`): the table as the commands that rebuild it, one per
// line, in ipvsadm's sorted order (shared/reference/ipvs.md §6.4, print_service_entry with
// FMT_RULE). Feed the text back through `ipvsadm -R` (admin/restore.ts) to restore it.
// Lossy exactly where ipvsadm is: thresholds (-x/-y) are not saved, and LOCALNODE saves as -g.

import type { DestSnapshot, ServiceSnapshot, TableSnapshot } from '../snapshot.js';
import { addrPort, uint } from './format.js';
import {
  forwardSwitch,
  hasSchedFlags,
  nonDefaultMask,
  ruleServiceName,
  schedFlagsText,
} from './names.js';
import { sortDests, sortServices } from './sort.js';

const TUN_CSUM_OPTION = {
  nocsum: '--tun-nocsum',
  csum: '--tun-csum',
  remcsum: '--tun-remcsum',
} as const;

function serviceRule(svc: ServiceSnapshot): string {
  let line = `-A ${ruleServiceName(svc)} -s ${svc.scheduler}`;
  if (svc.flags.persistent) {
    line += ` -p ${uint(svc.timeout)}`;
    const mask = nonDefaultMask(svc);
    if (mask !== undefined) line += ` -M ${mask}`;
  }
  if (svc.pe !== undefined && svc.pe !== '') line += ` --pe ${svc.pe}`;
  if (svc.flags.onePacket) line += ' -o';
  if (hasSchedFlags(svc)) line += ` -b ${schedFlagsText(svc)}`;
  return `${line}\n`;
}

function destRule(svcName: string, dest: DestSnapshot): string {
  const base = `-a ${svcName} -r ${addrPort(dest.address, dest.port)} ${forwardSwitch(dest.method)} -w ${dest.weight}`;
  if (dest.method !== 'tunnel') return `${base}\n`;
  const tun = dest.tunnel ?? { type: 'ipip' as const };
  const csum = TUN_CSUM_OPTION[tun.csum ?? 'nocsum'];
  switch (tun.type) {
    case 'ipip':
      return `${base} --tun-type ipip\n`;
    case 'gue':
      return `${base} --tun-type gue --tun-port ${tun.port ?? 0} ${csum}\n`;
    case 'gre':
      return `${base} --tun-type gre ${csum}\n`;
  }
}

/** The rules for one service: its `-A` line, then an `-a` line per destination (sorted). */
export function renderServiceRules(svc: ServiceSnapshot): string {
  const name = ruleServiceName(svc);
  return (
    serviceRule(svc) +
    sortDests(svc.dests)
      .map((d) => destRule(name, d))
      .join('')
  );
}

/** `ipvsadm -S -n`: no header, no titles; services and destinations sorted. */
export function renderSave(table: TableSnapshot): string {
  return sortServices(table.services).map(renderServiceRules).join('');
}
