// The IPVS sysctls that change data-plane behaviour (ipvs.md §3.4–§3.5): read from
// /proc/sys/net/ipv4/vs when the kernel module is loaded, so tandem's proxy behaves like the host's
// LVS would, and overridable with `--sysctl net.ipv4.vs.NAME=VALUE` (the names sysctl(8) uses).

import { readFileSync } from 'node:fs';
import type { Sysctls } from '../ipvs/index.js';

const NAMES = {
  expire_nodest_conn: 'expireNodestConn',
  expire_quiescent_template: 'expireQuiescentTemplate',
  conn_reuse_mode: 'connReuseMode',
  sloppy_tcp: 'sloppyTcp',
} as const satisfies Record<string, keyof Sysctls>;

type Name = keyof typeof NAMES;

function isName(n: string): n is Name {
  return Object.hasOwn(NAMES, n);
}

function set(out: Partial<Sysctls>, name: Name, value: number): void {
  const field = NAMES[name];
  if (field === 'connReuseMode') out.connReuseMode = value;
  else out[field] = value !== 0;
}

/** Values the host's kernel has, for the sysctls it exposes. */
export function hostSysctls(dir = '/proc/sys/net/ipv4/vs'): Partial<Sysctls> {
  const out: Partial<Sysctls> = {};
  for (const name of Object.keys(NAMES)) {
    if (!isName(name)) continue;
    try {
      const v = Number(readFileSync(`${dir}/${name}`, 'utf8').trim());
      if (Number.isInteger(v)) set(out, name, v);
    } catch {
      // not loaded / not exposed: the kernel default applies
    }
  }
  return out;
}

/** `net.ipv4.vs.expire_nodest_conn=1` (or `expire_nodest_conn=1`) → a partial Sysctls or an error. */
export function parseSysctlArg(
  arg: string,
): { ok: true; value: Partial<Sysctls> } | { ok: false; message: string } {
  const m = /^(?:net[./]ipv4[./]vs[./])?([a-z_]+)=(\d+)$/.exec(arg);
  const name = m?.[1];
  if (m === null || name === undefined || !isName(name)) {
    return {
      ok: false,
      message: `--sysctl '${arg}': expected net.ipv4.vs.NAME=VALUE with NAME one of ${Object.keys(NAMES).join(', ')}`,
    };
  }
  const out: Partial<Sysctls> = {};
  set(out, name, Number(m[2]));
  return { ok: true, value: out };
}
