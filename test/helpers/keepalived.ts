// Real keepalived 2.2.7 as the VRRP peer of interop tests and the failover bench: a config
// builder for the keywords those tests need (keepalived.conf(5), keepalived.md §1.7), and a
// process wrapper that runs `keepalived -n -l -D -P` in a LAN host's namespace with private pid
// files (keepalived refuses to start when its pid files name a live process, so two instances on
// one machine need distinct `-p`/`-r`) and keeps every log line with its arrival time.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lan } from './lan.js';
import { LogLines, type LogLine } from './log-lines.js';
import { stopChild, type Child } from './processes.js';

export interface VrrpInstanceParams {
  readonly name?: string; // VI_1
  readonly state: 'MASTER' | 'BACKUP';
  readonly interface?: string; // eth0
  readonly vrid: number;
  readonly priority: number;
  /** Seconds; v3 allows hundredths (0.1). */
  readonly advertInt: number;
  readonly version?: 2 | 3; // 2
  /** v2 `authentication { auth_type PASS; auth_pass … }`. */
  readonly authPass?: string;
  readonly unicastSrcIp?: string;
  readonly unicastPeers?: readonly string[];
  readonly nopreempt?: boolean;
  /** Address lines as in `virtual_ipaddress`, e.g. `10.1.2.100/24`. */
  readonly vips: readonly string[];
  /** Extra lines inside the block, verbatim. */
  readonly extra?: readonly string[];
}

/** One `vrrp_instance` block. */
export function vrrpInstanceConf(p: VrrpInstanceParams): string {
  const lines = [
    `vrrp_instance ${p.name ?? 'VI_1'} {`,
    `  state ${p.state}`,
    `  interface ${p.interface ?? 'eth0'}`,
    `  virtual_router_id ${p.vrid}`,
    `  priority ${p.priority}`,
    `  advert_int ${p.advertInt}`,
    `  version ${p.version ?? 2}`,
  ];
  if (p.authPass !== undefined) {
    lines.push('  authentication {', '    auth_type PASS', `    auth_pass ${p.authPass}`, '  }');
  }
  if (p.unicastSrcIp !== undefined) lines.push(`  unicast_src_ip ${p.unicastSrcIp}`);
  if (p.unicastPeers !== undefined) {
    lines.push('  unicast_peer {', ...p.unicastPeers.map((a) => `    ${a}`), '  }');
  }
  if (p.nopreempt === true) lines.push('  nopreempt');
  lines.push('  virtual_ipaddress {', ...p.vips.map((v) => `    ${v}`), '  }');
  lines.push(...(p.extra ?? []).map((l) => `  ${l}`), '}', '');
  return lines.join('\n');
}

/** A whole keepalived.conf: global_defs plus the instance blocks. */
export function keepalivedConf(
  routerId: string,
  instances: readonly VrrpInstanceParams[],
  globalDefs: readonly string[] = [],
): string {
  const global = ['global_defs {', `  router_id ${routerId}`, ...globalDefs.map((l) => `  ${l}`)];
  return [...global, '}', '', ...instances.map(vrrpInstanceConf)].join('\n');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One running keepalived (parent plus VRRP child) in a LAN host. */
export class Keepalived {
  readonly host: string;
  readonly dir: string;
  readonly log: LogLines;
  #child: Child;

  private constructor(host: string, dir: string, child: Child) {
    this.host = host;
    this.dir = dir;
    this.#child = child;
    this.log = new LogLines(`keepalived on ${host}`, child, false);
  }

  get lines(): readonly LogLine[] {
    return this.log.lines;
  }

  /** Writes the config to a temp dir and starts keepalived in the host's namespace. */
  static start(lan: Lan, host: string, conf: string): Keepalived {
    const dir = mkdtempSync(join(tmpdir(), `tandem-ka-${host}-`));
    const confPath = join(dir, 'keepalived.conf');
    writeFileSync(confPath, conf);
    // -R: a SIGKILLed VRRP child must stay dead, not be respawned by the parent.
    const argv = ['keepalived', '-n', '-l', '-D', '-G', '-R', '-P', '-f', confPath];
    argv.push('-p', join(dir, 'keepalived.pid'), '-r', join(dir, 'vrrp.pid'));
    return new Keepalived(host, dir, lan.exec(host, argv));
  }

  get pid(): number {
    return this.#child.pid;
  }

  hasExited(): boolean {
    return this.#child.hasExited();
  }

  mark(): number {
    return this.log.mark();
  }

  waitForLog(re: RegExp, timeoutMs: number, from = 0): Promise<LogLine> {
    return this.log.waitFor(re, timeoutMs, from);
  }

  logText(): string {
    return this.log.text();
  }

  /** The VRRP child's pid from the `-r` file, once keepalived has written it. */
  vrrpPid(): number | undefined {
    try {
      const pid = Number(readFileSync(join(this.dir, 'vrrp.pid'), 'utf8').trim());
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** Orderly stop: masters send priority 0 and drop their VIPs before exiting. */
  async stop(): Promise<void> {
    await stopChild(this.#child, 5000, 'SIGTERM');
    this.#removeDir();
  }

  /**
   * SIGKILL, VRRP child first: no priority-0 advert, VIPs stay configured (keepalived #2361), as
   * when a machine dies. Killing the parent first would let the child see its parent die.
   */
  async kill(): Promise<void> {
    const vrrp = this.vrrpPid();
    if (vrrp !== undefined) {
      try {
        process.kill(vrrp, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await stopChild(this.#child, 0, 'SIGKILL');
    for (let i = 0; i < 100 && vrrp !== undefined && alive(vrrp); i++) await sleep(10);
    this.#removeDir();
  }

  #removeDir(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Running, not a zombie: an orphaned VRRP child lingers as one until init reaps it. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
