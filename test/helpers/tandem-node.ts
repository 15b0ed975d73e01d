// tandem running in a LAN host's namespace (lan.ts), the counterpart of keepalived.ts's runner:
// the same configuration text (keepalivedConf builds it for both), the same log waits (tandem
// logs keepalived's VRRP lines as record messages), stop (SIGTERM: priority 0) and kill.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lan } from './lan.js';
import { LogLines, type LogLine } from './log-lines.js';
import { TANDEM } from './paths.js';
import { stopChild, type Child } from './processes.js';

export class TandemNode {
  readonly host: string;
  readonly dir: string;
  readonly log: LogLines;
  readonly #child: Child;

  private constructor(host: string, dir: string, child: Child) {
    this.host = host;
    this.dir = dir;
    this.#child = child;
    this.log = new LogLines(`tandem on ${host}`, child, true);
  }

  /**
   * Writes the config and starts `tandem -n -l -D` in the host's namespace: `-P` (VRRP only),
   * 'all' (VRRP and the proxy data plane) or 'check' (`-C`: checkers and the proxy data plane,
   * no VRRP). TMPDIR is private, so the SIGUSR1 status lands in `dir`.
   */
  static start(
    lan: Lan,
    host: string,
    conf: string,
    halves: 'vrrp' | 'all' | 'check' = 'vrrp',
    opts: { readonly dataplane?: 'proxy' | 'nft'; readonly args?: readonly string[] } = {},
  ): TandemNode {
    const dir = mkdtempSync(join(tmpdir(), `tandem-node-${host}-`));
    const confPath = join(dir, 'keepalived.conf');
    writeFileSync(confPath, conf);
    const argv = [process.execPath, TANDEM, '-n', '-l', '-D', '-f', confPath];
    // The namespace has its own 127.0.0.1, but the control socket's default path is shared.
    argv.push('--control', join(dir, 'control.sock'));
    if (halves === 'vrrp') argv.push('-P');
    else argv.push(...(halves === 'check' ? ['-C'] : []), '--dataplane', opts.dataplane ?? 'proxy');
    argv.push(...(opts.args ?? []));
    return new TandemNode(
      host,
      dir,
      lan.exec(host, argv, { env: { ...process.env, TMPDIR: dir } }),
    );
  }

  get pid(): number {
    return this.#child.pid;
  }

  get lines(): readonly LogLine[] {
    return this.log.lines;
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

  /** SIGUSR1, then the status JSON the daemon wrote. */
  async status(): Promise<Record<string, unknown>> {
    const from = this.mark();
    process.kill(this.pid, 'SIGUSR1');
    await this.waitForLog(/^status written$/, 5000, from);
    return JSON.parse(readFileSync(join(this.dir, 'tandem.data'), 'utf8')) as Record<
      string,
      unknown
    >;
  }

  /** Orderly stop: masters send priority 0 and drop their VIPs before exiting. */
  async stop(): Promise<void> {
    await stopChild(this.#child, 5000, 'SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** SIGKILL: no priority-0 advert, VIPs stay configured, as when a machine dies. */
  async kill(): Promise<void> {
    await stopChild(this.#child, 0, 'SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
