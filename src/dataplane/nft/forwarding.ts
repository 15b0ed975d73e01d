// The director's forwarding settings LVS-NAT needs (the seeds' NAT notes): IP forwarding on,
// and ICMP redirects off so a director on the real servers' subnet does not tell them to
// bypass it. Set while NAT services are programmed; the values found are put back at close.
// DR needs neither (netdev `fwd` does not go through the forwarding path).

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Family } from '../../lib/inet.js';

export interface SysctlIo {
  read(name: string): string | undefined;
  write(name: string, value: string): boolean;
}

/** /proc/sys (or another root, for tests): `net.ipv4.ip_forward` → /proc/sys/net/ipv4/ip_forward. */
export function procSysctl(root = '/proc/sys'): SysctlIo {
  const path = (name: string): string => join(root, ...name.split('.'));
  return {
    read: (name) => {
      try {
        return readFileSync(path(name), 'utf8').trim();
      } catch {
        return undefined;
      }
    },
    write: (name, value) => {
      try {
        writeFileSync(path(name), `${value}\n`);
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** The settings NAT needs for the families in use and the interfaces it hairpins on. */
export function natSysctls(
  families: ReadonlySet<Family>,
  ifnames: ReadonlySet<string>,
): Map<string, string> {
  const want = new Map<string, string>();
  if (families.has('inet')) {
    want.set('net.ipv4.ip_forward', '1');
    for (const i of ['all', 'default', ...[...ifnames].sort()]) {
      want.set(`net.ipv4.conf.${i}.send_redirects`, '0');
    }
  }
  if (families.has('inet6')) want.set('net.ipv6.conf.all.forwarding', '1');
  return want;
}

/** Applies settings, remembering the first value seen of each, and puts them back. */
export class SysctlKeeper {
  readonly #io: SysctlIo;
  readonly #saved = new Map<string, string>();

  constructor(io: SysctlIo) {
    this.#io = io;
  }

  /** Sets what differs; returns the names that could not be written. */
  apply(want: ReadonlyMap<string, string>): string[] {
    const failed: string[] = [];
    for (const [name, value] of want) {
      const now = this.#io.read(name);
      if (now === undefined) {
        failed.push(name);
        continue;
      }
      if (now === value) continue;
      if (!this.#saved.has(name)) this.#saved.set(name, now);
      if (!this.#io.write(name, value)) failed.push(name);
    }
    return failed;
  }

  /** Puts back every value changed. */
  restore(): void {
    for (const [name, value] of this.#saved) this.#io.write(name, value);
    this.#saved.clear();
  }
}
