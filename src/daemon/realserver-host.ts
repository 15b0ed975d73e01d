// The kernel side of `tandem realserver`: lo's addresses over rtnetlink (src/sys/rtnl-addr.ts)
// and the ARP sysctls under /proc/sys, both of the network namespace the process runs in.

import { readFileSync, writeFileSync } from 'node:fs';
import { addAddress, deleteAddress, listAddresses } from '../sys/rtnl-addr.js';
import type { RealserverHost } from './realserver.js';

const sysctlPath = (name: string, root: string): string => `${root}/${name.replaceAll('.', '/')}`;

export function kernelHost(procSys = '/proc/sys'): RealserverHost {
  return {
    loAddresses: () => {
      const r = listAddresses({ ifname: 'lo' });
      return r.ok ? r.value.map((a) => a.address) : r.message;
    },
    addVip: (vip, label) => {
      const r = addAddress({
        ifname: 'lo',
        address: vip.text,
        family: vip.family,
        prefixLength: vip.family === 'inet' ? 32 : 128,
        ...(label === undefined ? {} : { label }),
      });
      return r.ok || r.code === 'EEXIST' ? true : r.message;
    },
    deleteVip: (vip) => {
      const r = deleteAddress({
        ifname: 'lo',
        address: vip.text,
        family: vip.family,
        prefixLength: vip.family === 'inet' ? 32 : 128,
      });
      return r.ok || r.code === 'EADDRNOTAVAIL' ? true : r.message;
    },
    readSysctl: (name) => {
      try {
        return readFileSync(sysctlPath(name, procSys), 'utf8').trim();
      } catch {
        return undefined;
      }
    },
    writeSysctl: (name, value) => {
      try {
        writeFileSync(sysctlPath(name, procSys), `${value}\n`);
        return true;
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
    },
  };
}
