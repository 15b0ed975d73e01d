// The three notify FIFOs of global_defs together (reference §1.3, §2.9): notify_fifo gets every
// line, vrrp_notify_fifo the VRRP lines, lvs_notify_fifo the checker lines. Each may name a
// *_fifo_script, started once with the FIFO's path appended to its words and left running (no
// timeout: it is the reader) until close(), which SIGTERMs its process group.

import type { FifoSpec, GlobalDefs, ScriptSpec } from '../config/model.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/log.js';
import type { NotifyEvent } from './events.js';
import { NotifyFifo } from './fifo.js';
import { fifoLine } from './fifo-lines.js';
import type { ResolveUser } from './script-runner.js';
import type { ScriptSecurity } from './script-security.js';
import { systemNotifySpawner, type NotifySpawner, type SpawnedScript } from './spawner.js';

export type FifoGlobals = Pick<
  GlobalDefs,
  | 'notifyFifo'
  | 'notifyFifoScript'
  | 'vrrpNotifyFifo'
  | 'vrrpNotifyFifoScript'
  | 'lvsNotifyFifo'
  | 'lvsNotifyFifoScript'
>;

export interface NotifyFifosOptions {
  readonly log: Logger;
  readonly clock?: Clock;
  readonly spawner?: NotifySpawner;
  readonly resolveUser?: ResolveUser;
  readonly defaultUser?: { readonly user: string; readonly group?: string };
  readonly security?: ScriptSecurity;
}

interface Opened {
  readonly fifo: NotifyFifo;
  readonly families: readonly ('vrrp' | 'lvs')[];
}

export class NotifyFifos {
  readonly #fifos: Opened[];
  readonly #scripts: SpawnedScript[];

  private constructor(fifos: Opened[], scripts: SpawnedScript[]) {
    this.#fifos = fifos;
    this.#scripts = scripts;
  }

  /** Opens the configured FIFOs and starts their scripts; a FIFO that fails is logged, skipped. */
  static async open(g: FifoGlobals, o: NotifyFifosOptions): Promise<NotifyFifos> {
    const wanted: [FifoSpec | undefined, ScriptSpec | undefined, ('vrrp' | 'lvs')[]][] = [
      [g.notifyFifo, g.notifyFifoScript, ['vrrp', 'lvs']],
      [g.vrrpNotifyFifo, g.vrrpNotifyFifoScript, ['vrrp']],
      [g.lvsNotifyFifo, g.lvsNotifyFifoScript, ['lvs']],
    ];
    const fifos: Opened[] = [];
    const scripts: SpawnedScript[] = [];
    for (const [spec, script, families] of wanted) {
      if (spec === undefined) continue;
      try {
        const owner = await resolve(o, spec.user, spec.group);
        const fifo = await NotifyFifo.open(spec.path, {
          log: o.log,
          ...(o.clock === undefined ? {} : { clock: o.clock }),
          ...(owner === undefined ? {} : { owner }),
        });
        fifos.push({ fifo, families });
        if (script !== undefined) {
          const proc = await startScript(script, spec.path, o);
          if (proc !== undefined) scripts.push(proc);
        }
      } catch (err) {
        o.log.error({ err, fifo: spec.path }, 'cannot open notify fifo');
      }
    }
    return new NotifyFifos(fifos, scripts);
  }

  /** Writes the event's line to every FIFO that takes its family. */
  emit(event: NotifyEvent): void {
    const line = fifoLine(event);
    for (const { fifo, families } of this.#fifos)
      if (families.includes(line.family)) fifo.write(line.text);
  }

  get fifos(): readonly NotifyFifo[] {
    return this.#fifos.map((f) => f.fifo);
  }

  async close(): Promise<void> {
    for (const s of this.#scripts) s.kill('SIGTERM');
    await Promise.all(this.#fifos.map((f) => f.fifo.close()));
  }
}

async function resolve(
  o: NotifyFifosOptions,
  user: string | undefined,
  group: string | undefined,
): Promise<{ uid: number; gid: number } | undefined> {
  if (user === undefined) return undefined;
  if (o.resolveUser === undefined) throw new Error(`no user lookup for ${user}`);
  const r = await o.resolveUser(user, group);
  if (!r.ok) throw new Error(r.reason);
  return r.ids;
}

async function startScript(
  script: ScriptSpec,
  path: string,
  o: NotifyFifosOptions,
): Promise<SpawnedScript | undefined> {
  const who = script.user !== undefined ? script : o.defaultUser;
  const ids = await resolve(o, who?.user, who?.group);
  const cmd = script.argv[0];
  if (cmd === undefined) return undefined;
  if (o.security !== undefined) {
    const v = await o.security.admit(cmd, ids?.uid ?? process.getuid?.() ?? 0);
    if (!v.ok) {
      o.log.error({ script: script.command, detail: v.detail }, v.reason);
      return undefined;
    }
  }
  const spawner = o.spawner ?? systemNotifySpawner;
  return spawner.spawn([...script.argv, path], ids, (exit) =>
    o.log.warn({ script: script.command, fifo: path, exit }, 'notify fifo script exited'),
  );
}
