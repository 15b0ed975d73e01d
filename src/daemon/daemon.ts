// The running daemon: one process that owns the virtual server table and plugs every subsystem
// into it — the configuration, the proxy data plane, the checkers and VRRP (in its own thread);
// the control socket and notifications attach here as they arrive. As keepalived, `-P` runs only
// VRRP, `-C` only the virtual servers and checkers, and neither runs both. Reload (SIGHUP) is keepalived's: compile the new
// file, keep the old configuration if it has errors, otherwise apply the planned diff so untouched
// services and their connections are never disturbed.

import { compileConfig, formatDiagnostics, type Config, type Diagnostic } from '../config/index.js';
import {
  ProxyDataPlane,
  wantedSyncDaemons,
  type DataPlane,
  type ServiceOptions,
} from '../dataplane/index.js';
import {
  applyPlan,
  diffConfig,
  IpvsTable,
  schedulerFactory,
  serviceKeysOf,
  type ConfigPlan,
  type Sysctls,
} from '../ipvs/index.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/log.js';
import type { LogOutput } from '../lib/log-format.js';
import { CheckManager } from '../check/index.js';
import { probeFactory } from '../check/probes.js';
import { hostInterfaces, localAddressTest } from './host.js';
import { poolWriter } from './pool-writer.js';
import { daemonStatus, type DaemonStatus } from './status.js';
import { VrrpWorker, type TransitionEvent } from '../vrrp/index.js';
import { ControlServer } from '../control/index.js';
import { AdminServer } from '../web/index.js';
import { controlHandlers } from './control-handlers.js';
import { reconcileServices } from './reconcile.js';
import { EventRing } from './events-ring.js';
import { Notifications } from './notifications.js';

/** How often timers and the 2 s rate estimator run. */
const TICK_MS = 1000;

export interface DaemonOptions {
  readonly file: string;
  readonly configId?: string;
  readonly log: Logger;
  readonly clock: Clock;
  readonly sysctls: Partial<Sysctls>;
  /** Proxy data plane upstream connect timeout (default 5000 ms). */
  readonly connectTimeoutMs?: number;
  /** Health checker worker threads (default 0: on the main thread, on `clock`). */
  readonly checkWorkers?: number;
  readonly displayPath: (path: string) => string;
  /** Log format and destination, for the VRRP thread's own lines. */
  readonly logOutput?: LogOutput;
  /** The admin HTTP listener (/metrics, /status.json, the status page); none when undefined. */
  readonly admin?: { readonly host: string; readonly port: number };
  /** The control socket's path (tandemadm, `tandem status`); none when undefined. */
  readonly controlPath?: string;
  /** Shutdown: how long established proxy relays may finish before being cut (default 0). */
  readonly shutdownDrainMs?: number;
  /**
   * The data plane, made once the table exists (default: the userspace proxy). run.ts picks it
   * from --dataplane. `config` is the configuration in force (a kernel plane finds the VIPs'
   * interfaces and the services' forwarding methods there).
   */
  readonly dataplane?: (
    table: IpvsTable,
    log: Logger,
    config: () => Config | undefined,
  ) => DataPlane;
  /**
   * What the data plane cannot program, as configuration errors (file:line:col): a start or a
   * reload with such errors is refused like any other invalid configuration.
   */
  readonly configCheck?: (config: Config) => readonly Diagnostic[];
  /** Which halves run (keepalived's -P / -C); both by default. */
  readonly subsystems?: { readonly vrrp: boolean; readonly lvs: boolean };
  /** Every VRRP state change (tests, notifications). */
  readonly onTransition?: (e: TransitionEvent) => void;
  /** Where compiler diagnostics go (stderr). */
  readonly diagnostics: (text: string) => void;
}

export function serviceOptions(config: Config): Map<string, ServiceOptions> {
  const out = new Map<string, ServiceOptions>();
  for (const vs of config.virtualServers) {
    if (vs.proxyProtocol === undefined) continue;
    for (const s of serviceKeysOf(vs, config.virtualServerGroups) ?? []) {
      out.set(s.id, { proxyProtocol: vs.proxyProtocol });
    }
  }
  return out;
}

export class Daemon {
  readonly #opts: DaemonOptions;
  readonly #log: Logger;
  readonly table: IpvsTable;
  readonly plane: DataPlane;
  #syncQueued = false;
  readonly checks: CheckManager;
  #config: Config | undefined;
  #stopTick: (() => void) | undefined;
  readonly #runVrrp: boolean;
  readonly #runLvs: boolean;
  #vrrp: VrrpWorker | undefined;
  #control: ControlServer | undefined;
  #admin: AdminServer | undefined;
  readonly #events = new EventRing();
  readonly #notify: Notifications;
  /** Addresses of `vip_mode listener` instances, and those currently held (by instance). */
  #listenerVips = new Set<string>();
  readonly #heldVips = new Map<string, readonly string[]>();
  /** Each VRRP instance's state, for the connection-sync daemon (lvs_sync_daemon). */
  readonly #vrrpStates = new Map<string, string>();

  constructor(opts: DaemonOptions) {
    this.#opts = opts;
    this.#log = opts.log;
    this.#runVrrp = opts.subsystems?.vrrp ?? true;
    this.#runLvs = opts.subsystems?.lvs ?? true;
    this.#notify = new Notifications(opts.log.child({ subsys: 'notify' }));
    // The table tells the plane when an entry goes; the plane is made after the table.
    const released = (id: number): void => this.plane.release(id);
    this.table = new IpvsTable({
      now: () => opts.clock.now(),
      schedulers: schedulerFactory,
      ...opts.sysctls,
      onRelease: released,
      onChange: () => this.#queueSync(),
    });
    this.plane =
      opts.dataplane?.(this.table, opts.log.child({ subsys: 'dataplane' }), () => this.#config) ??
      new ProxyDataPlane({
        table: this.table,
        log: opts.log.child({ subsys: 'proxy' }),
        ...(opts.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: opts.connectTimeoutMs }),
      });
    const checkLog = opts.log.child({ subsys: 'check' });
    this.checks = new CheckManager({
      clock: opts.clock,
      random: Math.random,
      log: checkLog,
      probes: probeFactory,
      writer: poolWriter(this.table, () => this.#config, checkLog),
      runScript: (script, why) => this.#notify.runCheckerScript(script, why),
      workers: opts.checkWorkers ?? 0,
      // A listener-mode VIP is "local" (ha_suspend) exactly while this director holds it.
      localAddresses: () => {
        const host = localAddressTest();
        const held = new Set([...this.#heldVips.values()].flat());
        return (a) => (this.#listenerVips.has(a) ? held.has(a) : host(a));
      },
    });
    this.checks.onEvent((e) => {
      this.#events.check(e);
      this.#notify.check(e);
    });
  }

  #compile(): Config | undefined {
    const o = this.#opts;
    const r = compileConfig(o.file, {
      interfaces: hostInterfaces(),
      ...(o.configId === undefined ? {} : { configId: o.configId }),
    });
    const extra = r.ok && o.configCheck !== undefined ? o.configCheck(r.config) : [];
    o.diagnostics(formatDiagnostics([...r.diagnostics, ...extra], { displayPath: o.displayPath }));
    return r.ok && !extra.some((d) => d.severity === 'error') ? r.config : undefined;
  }

  /** Load the configuration and start serving. False when the configuration has errors. */
  start(): boolean {
    const config = this.#compile();
    if (config === undefined) return false;
    this.#apply(config);
    if (this.#opts.controlPath !== undefined) void this.#startControl(this.#opts.controlPath);
    if (this.#opts.admin !== undefined) void this.#startAdmin(this.#opts.admin);
    this.#stopTick = this.#opts.clock.every(TICK_MS, () => {
      this.table.advance();
      this.checks.refreshLocal();
    });
    const s = this.table.snapshot();
    this.#log.info(
      {
        file: this.#opts.displayPath(this.#opts.file),
        services: s.services.length,
        dests: s.services.reduce((n, v) => n + v.dests.length, 0),
        dataplane: this.plane.kind,
      },
      'started',
    );
    return true;
  }

  /**
   * A control socket that cannot be opened (another daemon holds it) is logged, not fatal: the
   * load balancer serves without it, as keepalived has none.
   */
  async #startControl(path: string): Promise<void> {
    const server = new ControlServer({
      path,
      handlers: controlHandlers(this),
      log: this.#log.child({ subsys: 'control' }),
    });
    try {
      await server.start();
      // The server logs 'control socket listening' itself.
      this.#control = server;
    } catch (err) {
      this.#log.error(
        { err, path },
        'control socket unavailable; tandemadm cannot reach this daemon',
      );
    }
  }

  /** Like the control socket, an admin listener that cannot bind is logged, not fatal. */
  async #startAdmin(at: { readonly host: string; readonly port: number }): Promise<void> {
    const server = new AdminServer({
      host: at.host,
      port: at.port,
      status: () => this.status(),
      log: this.#log.child({ subsys: 'web' }),
    });
    try {
      await server.start();
      this.#admin = server;
      const { address, port } = server.address();
      this.#log.info({ address, port }, 'admin listener ready');
    } catch (err) {
      this.#log.error({ err, ...at }, 'admin listener unavailable');
    }
  }

  #apply(config: Config): ConfigPlan {
    this.#notify
      .load(config)
      .catch((err: unknown) => this.#log.error({ err }, 'cannot set up notifications'));
    this.#listenerVips = new Set(
      config.vrrpInstances
        .filter((i) => i.vipMode === 'listener')
        .flatMap((i) =>
          [...i.virtualIpaddress, ...i.virtualIpaddressExcluded].map((v) => v.address),
        ),
    );
    if (this.#runVrrp && (config.vrrpInstances.length > 0 || this.#vrrp !== undefined)) {
      this.#vrrp ??= new VrrpWorker({
        log: this.#log.child({ subsys: 'vrrp' }),
        ...(this.#opts.logOutput === undefined ? {} : { logOutput: this.#opts.logOutput }),
        onTransition: (e) => {
          this.#events.vrrp(e);
          this.#notify.vrrp(e);
          this.#vrrpStates.set(e.instance, e.to);
          if (this.#config?.global.lvsSyncDaemon?.instance === e.instance) this.#configurePlane();
          this.#opts.onTransition?.(e);
        },
        onGroupTransition: (e) => this.#notify.group(e),
        onVips: (instance, addresses, held) => {
          if (held) this.#heldVips.set(instance, addresses);
          else this.#heldVips.delete(instance);
          this.sync();
          this.checks.refreshLocal();
        },
      });
      void this.#vrrp.load(config);
    }
    if (!this.#runLvs) {
      this.#config = config;
      return diffConfig(config, config);
    }
    const plan = diffConfig(this.#config, config);
    // Services from the plan; destinations from the checkers, which know who is alive.
    applyPlan(this.table, plan, { dests: false });
    const reset = reconcileServices(this.table, plan);
    if (reset > 0 && this.#config !== undefined)
      this.#log.info(
        { services: reset },
        'runtime changes to the virtual servers undone by reload',
      );
    for (const key of plan.skipped)
      this.#log.warn({ vs: key }, 'virtual server not programmed (group cannot be expanded)');
    this.#config = config;
    this.#configurePlane();
    this.checks.load(config);
    this.sync();
    return plan;
  }

  /**
   * keepalived's LVS globals for a kernel data plane: flushes, and the sync daemon, which (as in
   * keepalived, where the VRRP process runs it) only a daemon running VRRP starts.
   */
  #configurePlane(): void {
    const config = this.#config;
    if (config === undefined) return;
    this.plane.configure?.({
      flushAtStart: config.global.lvsFlush,
      flushOnStop: config.global.lvsFlushOnStop,
      syncDaemons: this.#runVrrp
        ? wantedSyncDaemons(config, (name) => this.#vrrpStates.get(name))
        : [],
    });
  }

  /** Table changes come in bursts (a reload, a restore): one sync after the burst. */
  #queueSync(): void {
    if (this.#syncQueued) return;
    this.#syncQueued = true;
    queueMicrotask(() => {
      this.#syncQueued = false;
      this.sync();
    });
  }

  /** Bring the data plane in line with the table. */
  sync(): void {
    if (!this.#runLvs) return;
    const opts = this.#config === undefined ? new Map() : serviceOptions(this.#config);
    // listener mode: a VIP's listeners exist only while this director is its VRRP master.
    const held = new Set([...this.#heldVips.values()].flat());
    const services = this.table
      .snapshot()
      .services.filter(
        (s) => s.address === undefined || !this.#listenerVips.has(s.address) || held.has(s.address),
      );
    this.plane.sync(services, opts);
  }

  /** SIGHUP: re-read the file; a broken file leaves everything as it was. */
  reload(): boolean {
    this.#log.info({ file: this.#opts.displayPath(this.#opts.file) }, 'reloading');
    const config = this.#compile();
    if (config === undefined) {
      this.#log.error({}, 'reload failed: configuration has errors; keeping the running one');
      return false;
    }
    const plan = this.#apply(config);
    const count = (a: string): number => plan.services.filter((s) => s.action === a).length;
    this.#log.info(
      { added: count('add'), edited: count('edit'), removed: count('remove'), kept: count('keep') },
      'reloaded',
    );
    return true;
  }

  async status(): Promise<DaemonStatus> {
    const vrrp = (await this.#vrrp?.status()) ?? undefined;
    return {
      ...daemonStatus(
        this.table.snapshot(),
        this.plane.kind,
        this.plane.stats(),
        this.checks.status(),
        vrrp,
      ),
      events: this.#events.list(),
      notify: this.#notify.counters(),
    };
  }

  async stop(): Promise<void> {
    // VRRP first: masters send priority 0 so a backup takes over while we still serve.
    await this.#vrrp?.stop();
    await this.#notify.stop();
    await this.#control?.close();
    await this.#admin?.close();
    this.#stopTick?.();
    this.checks.stop();
    await this.plane.close({ drainMs: this.#opts.shutdownDrainMs ?? 0 });
    this.#log.info({}, 'stopped');
  }
}
