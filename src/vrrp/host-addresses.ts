// The address an instance's adverts leave from when unicast_src_ip is not given: the interface's
// primary IPv4 address, or its IPv6 link-local address (RFC 5798 §5.1.2.1: the source of an
// IPv6 advert is the interface's link-local address).

import { networkInterfaces } from 'node:os';

export function interfaceAddress(ifname: string, family: 'inet' | 'inet6'): string | undefined {
  const addrs = networkInterfaces()[ifname] ?? [];
  if (family === 'inet') return addrs.find((a) => a.family === 'IPv4')?.address;
  return addrs.find((a) => a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80:'))
    ?.address;
}
