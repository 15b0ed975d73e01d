// `tandem realserver start|stop --vip ADDR…`: the real-server script of the LVS-DR how-tos (the
// seed documents' lvs_dr_rs.sh: `ifconfig lo:0 VIP netmask 255.255.255.255` and arp_ignore=1 /
// arp_announce=2 on lo and all) built in. A DR real server must accept packets for the VIP but
// never answer ARP for it, or clients would bypass the director. Unlike the script, stop restores
// the sysctl values that were there before start (kept in a state file), both are idempotent, and
// --dry-run prints the plan without changing anything.

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseIp, type IpAddress } from '../lib/inet.js';

/** What the command touches, injectable for tests. */
export interface RealserverHost {
  /** Addresses on lo, canonical text; a string is an error. */
  loAddresses: () => readonly string[] | string;
  addVip: (vip: IpAddress, label: string | undefined) => true | string;
  deleteVip: (vip: IpAddress) => true | string;
  readSysctl: (name: string) => string | undefined;
  writeSysctl: (name: string, value: string) => true | string;
}

/** The sysctls of an LVS-DR real server (net.ipv4.conf.*; IPv4's ARP only). */
export const RS_SYSCTLS: Readonly<Record<string, string>> = {
  'net.ipv4.conf.lo.arp_ignore': '1',
  'net.ipv4.conf.lo.arp_announce': '2',
  'net.ipv4.conf.all.arp_ignore': '1',
  'net.ipv4.conf.all.arp_announce': '2',
};

/** What start recorded: the sysctls' values before it, and the VIPs it added. */
export interface RealserverState {
  readonly sysctls: Readonly<Record<string, string>>;
  readonly vips: readonly string[];
}

export type Change =
  | { kind: 'add-vip'; vip: IpAddress; label?: string }
  | { kind: 'delete-vip'; vip: IpAddress }
  | { kind: 'sysctl'; name: string; from: string; to: string };

export function describe(c: Change): string {
  switch (c.kind) {
    case 'add-vip':
      return `add ${c.vip.text}/${c.vip.family === 'inet' ? 32 : 128} to lo${c.label === undefined ? '' : ` (label ${c.label})`}`;
    case 'delete-vip':
      return `delete ${c.vip.text} from lo`;
    case 'sysctl':
      return `set ${c.name} ${c.from} -> ${c.to}`;
    default:
      return c satisfies never;
  }
}

/** start: the VIPs not yet on lo (the Nth IPv4 VIP labelled lo:N), and the sysctls to change. */
export function planStart(
  vips: readonly IpAddress[],
  onLo: readonly string[],
  read: (n: string) => string | undefined,
): Change[] {
  const out: Change[] = [];
  const v4 = vips.filter((v) => v.family === 'inet');
  for (const vip of vips) {
    if (onLo.includes(vip.text)) continue;
    out.push({
      kind: 'add-vip',
      vip,
      ...(vip.family === 'inet' ? { label: `lo:${v4.indexOf(vip)}` } : {}),
    });
  }
  if (vips.some((v) => v.family === 'inet')) {
    for (const [name, to] of Object.entries(RS_SYSCTLS)) {
      const from = read(name);
      if (from !== undefined && from !== to) out.push({ kind: 'sysctl', name, from, to });
    }
  }
  return out;
}

/** stop: the VIPs still on lo, and the recorded sysctl values that differ from now. */
export function planStop(
  vips: readonly IpAddress[],
  onLo: readonly string[],
  state: RealserverState | undefined,
  read: (n: string) => string | undefined,
): Change[] {
  const out: Change[] = vips
    .filter((v) => onLo.includes(v.text))
    .map((vip) => ({ kind: 'delete-vip' as const, vip }));
  for (const [name, to] of Object.entries(state?.sysctls ?? {})) {
    const from = read(name);
    if (from !== undefined && from !== to) out.push({ kind: 'sysctl', name, from, to });
  }
  return out;
}

export function defaultStateFile(uid = process.getuid?.()): string {
  return uid === 0 ? '/run/tandem/realserver.json' : join(tmpdir(), 'tandem-realserver.json');
}

function readState(path: string): RealserverState | undefined {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as Partial<RealserverState>;
    return { sysctls: v.sysctls ?? {}, vips: v.vips ?? [] };
  } catch {
    return undefined;
  }
}

export const REALSERVER_USAGE = `Usage: tandem realserver start|stop --vip ADDR [--vip ADDR...] [--dry-run] [--state FILE]
Prepare this host as an LVS direct-routing real server, or undo it.

  start    add each VIP to lo (/32, label lo:N; IPv6 /128) and set arp_ignore=1 and
           arp_announce=2 on lo and all, so the host accepts the VIP's traffic but never
           answers ARP for it; the previous sysctl values are saved in the state file
  stop     delete the VIPs from lo (default: those start added) and restore the saved values
      --vip=ADDR     a virtual address (repeatable)
      --dry-run      print what would change and change nothing
      --state=FILE   where start saves the previous values (default /run/tandem/realserver.json
                     as root, else $TMPDIR/tandem-realserver.json)
`;

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

/** The command; exit status 0 done (or nothing to do), 1 a change failed, 2 usage. */
export async function runRealserver(
  argv: readonly string[],
  io: Io,
  host?: RealserverHost,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        vip: { type: 'string', multiple: true },
        'dry-run': { type: 'boolean' },
        state: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
    });
  } catch (err) {
    io.stderr(`tandem realserver: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stdout(REALSERVER_USAGE);
    return 0;
  }
  const action = positionals[0];
  if ((action !== 'start' && action !== 'stop') || positionals.length !== 1) {
    io.stderr(`tandem realserver: expected start or stop\n${REALSERVER_USAGE}`);
    return 2;
  }
  const vips: IpAddress[] = [];
  for (const text of values.vip ?? []) {
    const ip = parseIp(text);
    if (ip === undefined) {
      io.stderr(`tandem realserver: --vip '${text}' is not an IP address\n`);
      return 2;
    }
    if (!vips.some((v) => v.text === ip.text)) vips.push(ip);
  }
  const statePath = values.state ?? defaultStateFile();
  const state = readState(statePath);
  if (action === 'stop' && vips.length === 0) {
    for (const t of state?.vips ?? []) {
      const ip = parseIp(t);
      if (ip !== undefined) vips.push(ip);
    }
  }
  if (action === 'start' && vips.length === 0) {
    io.stderr('tandem realserver: start needs at least one --vip\n');
    return 2;
  }
  const h = host ?? (await import('./realserver-host.js')).kernelHost();
  const onLo = h.loAddresses();
  if (typeof onLo === 'string') {
    io.stderr(`tandem realserver: cannot list lo's addresses: ${onLo}\n`);
    return 1;
  }
  const changes =
    action === 'start'
      ? planStart(vips, onLo, h.readSysctl)
      : planStop(vips, onLo, state, h.readSysctl);
  const dry = values['dry-run'] === true;
  if (changes.length === 0) io.stdout(`tandem realserver: ${action}: nothing to change\n`);
  if (dry) {
    for (const c of changes) io.stdout(`would ${describe(c)}\n`);
    return 0;
  }
  if (action === 'start') {
    // Record before changing, so a stop after a half-done start still restores. Values already
    // recorded by an earlier start are the host's own and are kept.
    const sysctls: Record<string, string> = { ...state?.sysctls };
    for (const name of Object.keys(RS_SYSCTLS)) {
      const v = h.readSysctl(name);
      if (sysctls[name] === undefined && v !== undefined) sysctls[name] = v;
    }
    const added = changes.flatMap((c) => (c.kind === 'add-vip' ? [c.vip.text] : []));
    const next = { sysctls, vips: [...new Set([...(state?.vips ?? []), ...added])] };
    mkdirSync(dirname(statePath), { recursive: true });
    writeFileSync(statePath, `${JSON.stringify(next, null, 2)}\n`);
  }
  let failed = 0;
  for (const c of changes) {
    const r =
      c.kind === 'add-vip'
        ? h.addVip(c.vip, c.label)
        : c.kind === 'delete-vip'
          ? h.deleteVip(c.vip)
          : h.writeSysctl(c.name, c.to);
    if (r === true) io.stdout(`${describe(c)}\n`);
    else {
      failed++;
      io.stderr(`tandem realserver: cannot ${describe(c)}: ${r}\n`);
    }
  }
  if (action === 'stop' && failed === 0) rmSync(statePath, { force: true });
  return failed === 0 ? 0 : 1;
}
