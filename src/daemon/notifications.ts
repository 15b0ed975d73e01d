// One notification path (issue 8): VRRP instance and group transitions and checker verdicts
// become NotifyEvents, and each event goes to the scripts keepalived would run (notify_master …
// notify, notify_up/notify_down, quorum_up/quorum_down), the notify FIFOs and the e-mail alerts.
// Nothing here blocks: scripts queue per object, FIFOs keep a bounded backlog, mail is queued.

import type { CheckEvent } from '../check/index.js';
import type { Config, ScriptSpec } from '../config/index.js';
import type { Logger } from '../lib/log.js';
import {
  defaultScriptUser,
  Mailer,
  mailerSettings,
  mailPolicy,
  selectMail,
  type MailedStates,
  type MailPolicy,
  NotifyFifos,
  ScriptRunner,
  ScriptSecurity,
  vrrpScripts,
  type NotifyEvent,
} from '../notify/index.js';
import { lookupUser } from '../sys/users.js';
import type { GroupTransitionEvent, TransitionEvent } from '../vrrp/index.js';

export interface NotifyCounters {
  readonly mail?: Mailer['counters'];
  readonly scripts?: ScriptRunner['stats'];
}

/** How long a stop waits for notify_stop scripts (keepalived reaps them within 1 s). */
const STOP_WAIT_MS = 1000;

export class Notifications {
  readonly #log: Logger;
  #config: Config | undefined;
  #runner: ScriptRunner | undefined;
  #fifos: NotifyFifos | undefined;
  #fifoKey = '';
  #mailer: Mailer | undefined;
  #mailKey = '';
  #policy: MailPolicy | undefined;
  /** Last mailed VRRP state per instance/group, kept across reloads. */
  readonly #mailed: MailedStates = new Map();

  constructor(log: Logger) {
    this.#log = log;
  }

  /** The configuration in force (first load or reload). */
  async load(config: Config): Promise<void> {
    const g = config.global;
    const before = this.#config;
    this.#config = config;
    if (before === undefined || this.#runnerKey(before) !== this.#runnerKey(config)) {
      const defaultUser = await defaultScriptUser(
        g.scriptUser,
        async (name) => (await lookupUser(name)).ok,
      );
      this.#runner?.close();
      this.#runner = new ScriptRunner({
        log: this.#log,
        resolveUser: lookupUser,
        security: new ScriptSecurity(g.enableScriptSecurity, this.#log),
        ...(defaultUser === undefined ? {} : { defaultUser }),
      });
    }
    this.#policy = mailPolicy(config);
    const settings = mailerSettings(g);
    const mailKey = JSON.stringify(settings ?? null);
    if (mailKey !== this.#mailKey) {
      this.#mailKey = mailKey;
      this.#mailer?.close();
      this.#mailer = settings === undefined ? undefined : new Mailer({ settings, log: this.#log });
    }
    const fifoKey = JSON.stringify([
      g.notifyFifo,
      g.notifyFifoScript,
      g.vrrpNotifyFifo,
      g.vrrpNotifyFifoScript,
      g.lvsNotifyFifo,
      g.lvsNotifyFifoScript,
    ]);
    if (fifoKey !== this.#fifoKey) {
      this.#fifoKey = fifoKey;
      await this.#fifos?.close();
      this.#fifos = await NotifyFifos.open(g, { log: this.#log, resolveUser: lookupUser });
    }
  }

  #runnerKey(c: Config): string {
    return JSON.stringify([c.global.scriptUser, c.global.enableScriptSecurity]);
  }

  /** Checker scripts the check manager asks for (notify_up/down, quorum_up/down). */
  runCheckerScript(script: ScriptSpec, why: string): void {
    this.#runner?.run('checkers', { script, args: [], keyword: why }, why);
  }

  vrrp(e: TransitionEvent): void {
    if (e.to === 'INIT') return;
    this.#emit({
      kind: 'vrrp-instance',
      name: e.instance,
      from: e.from,
      to: e.to,
      priority: e.priority,
      at: e.at,
    });
  }

  group(e: GroupTransitionEvent): void {
    if (e.to === 'INIT') return;
    this.#emit({ kind: 'vrrp-group', name: e.group, to: e.to, at: e.at });
  }

  /** Checker verdicts: the FIFOs and mail (the check manager runs the scripts itself). */
  check(e: CheckEvent): void {
    const at = Date.now();
    if (e.type === 'rs-up' || e.type === 'rs-down')
      this.#emit(
        {
          kind: 'rs',
          vs: e.vs,
          vsLabel: e.vsLabel,
          rs: e.rs,
          rsLabel: e.rsLabel,
          up: e.type === 'rs-up',
          checker: e.checker,
          at,
        },
        false,
      );
    else if (e.type === 'quorum-up' || e.type === 'quorum-down')
      this.#emit(
        { kind: 'quorum', vs: e.vs, vsLabel: e.vsLabel, up: e.type === 'quorum-up', at },
        false,
      );
  }

  #emit(ev: NotifyEvent, scripts = true): void {
    const c = this.#config;
    if (c === undefined) return;
    if (scripts && (ev.kind === 'vrrp-instance' || ev.kind === 'vrrp-group')) {
      const owner =
        ev.kind === 'vrrp-instance'
          ? c.vrrpInstances.find((i) => i.name === ev.name)
          : c.vrrpSyncGroups.find((g) => g.name === ev.name);
      if (owner !== undefined)
        for (const call of vrrpScripts(ev, owner)) this.#runner?.run(`${ev.kind}:${ev.name}`, call);
    }
    this.#fifos?.emit(ev);
    if (this.#mailer !== undefined && this.#policy !== undefined) {
      const mail = selectMail(this.#policy, this.#mailed, ev);
      if (mail !== undefined) this.#mailer.enqueue(mail);
    }
  }

  /** Counters for the status and metrics. */
  counters(): NotifyCounters {
    const m = this.#mailer?.counters;
    const r = this.#runner?.stats;
    return {
      ...(m === undefined ? {} : { mail: { ...m } }),
      ...(r === undefined ? {} : { scripts: { ...r } }),
    };
  }

  /** Let notify_stop scripts and queued mails go out briefly, then end what is left. */
  async stop(): Promise<void> {
    const idle = Promise.all([this.#runner?.idle(), this.#mailer?.idle()]);
    await Promise.race([idle, new Promise((r) => setTimeout(r, STOP_WAIT_MS).unref())]);
    this.#runner?.close();
    this.#mailer?.close();
    await this.#fifos?.close();
  }
}
