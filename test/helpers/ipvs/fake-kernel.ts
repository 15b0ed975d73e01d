// An in-memory stand-in for the kernel's IPVS table behind the IpvsKernel interface, answering
// as ip_vs_ctl.c does: EEXIST for a second service or destination, ESRCH for a missing service,
// ENOENT for a missing destination or an unknown scheduler, ERANGE for l_threshold above
// u_threshold, new destinations at the head of the list, HASHED set on every service. Every call
// is logged, failures can be injected, and traffic can be counted on a destination, so data
// plane tests check exactly which requests a change costs.

import { LVS_SCHEDULERS } from '../../../src/config/index.js';
import { ZERO_STATS } from '../../../src/sys/ipvs-decode.js';
import type { IpvsKernel, IpvsResult } from '../../../src/sys/ipvs-kernel.js';
import {
  IP_VS_SVC_F,
  ipvsServiceId,
  type IpvsDaemon,
  type IpvsDest,
  type IpvsDestKey,
  type IpvsDestSpec,
  type IpvsInfo,
  type IpvsService,
  type IpvsServiceKey,
  type IpvsServiceSpec,
  type IpvsStats,
  type IpvsTimeouts,
} from '../../../src/sys/ipvs-netlink.js';

// The schedulers of a kernel built without ip_vs_twos (tests use `twos` as the missing one).
const SCHEDULERS: readonly string[] = LVS_SCHEDULERS.filter((name) => name !== 'twos');

interface Svc {
  spec: IpvsServiceSpec;
  dests: IpvsDest[];
}

const ok = { ok: true, value: undefined } as const;
const err = (code: string) => ({ ok: false, code, message: code }) as const;

function destKeyId(d: IpvsDestKey): string {
  return `${d.family}|${d.address}|${d.port}`;
}

export class FakeKernel implements IpvsKernel {
  readonly calls: string[] = [];
  readonly table = new Map<string, Svc>();
  timeoutsNow: IpvsTimeouts = { tcp: 900, tcpfin: 120, udp: 300 };
  readonly running = new Map<'master' | 'backup', IpvsDaemon>();
  closed = false;
  /** Injected failures: `op` (e.g. 'new-service') → errno, used once. */
  readonly failures = new Map<string, string>();

  #fail(op: string): { ok: false; code: string; message: string } | undefined {
    const code = this.failures.get(op);
    if (code === undefined) return undefined;
    this.failures.delete(op);
    return err(code);
  }

  #log(text: string): void {
    this.calls.push(text);
  }

  /** Forget the call log. */
  reset(): void {
    this.calls.length = 0;
  }

  find(key: IpvsServiceKey): Svc | undefined {
    return this.table.get(ipvsServiceId(key));
  }

  /** Traffic on a destination, as the kernel would count it. */
  count(
    key: IpvsServiceKey,
    dest: IpvsDestKey,
    add: Partial<IpvsStats>,
    conns?: { active: number; inact: number },
  ): void {
    const svc = this.find(key);
    const i = svc?.dests.findIndex((d) => destKeyId(d) === destKeyId(dest)) ?? -1;
    const d = svc?.dests[i];
    if (svc === undefined || d === undefined) throw new Error('no such destination');
    const stats = { ...d.stats };
    for (const [k, v] of Object.entries(add) as [keyof IpvsStats, number][]) stats[k] += v;
    svc.dests[i] = {
      ...d,
      stats,
      ...(conns === undefined ? {} : { activeConns: conns.active, inactConns: conns.inact }),
    };
  }

  info(): IpvsResult<IpvsInfo> {
    this.#log('get-info');
    return { ok: true, value: { version: 0x010201, connTabSize: 4096 } };
  }

  services_(): IpvsService[] {
    return [...this.table.values()].map((s) => ({ ...s.spec, stats: ZERO_STATS }));
  }

  services(): IpvsResult<IpvsService[]> {
    this.#log('get-services');
    return this.#fail('get-services') ?? { ok: true, value: this.services_() };
  }

  service(key: IpvsServiceKey): IpvsResult<IpvsService> {
    this.#log(`get-service ${ipvsServiceId(key)}`);
    const s = this.find(key);
    return s === undefined ? err('ESRCH') : { ok: true, value: { ...s.spec, stats: ZERO_STATS } };
  }

  dests(key: IpvsServiceKey): IpvsResult<IpvsDest[]> {
    this.#log(`get-dests ${ipvsServiceId(key)}`);
    return { ok: true, value: [...(this.find(key)?.dests ?? [])] };
  }

  #checkService(spec: IpvsServiceSpec): IpvsResult<void> | undefined {
    if (!SCHEDULERS.includes(spec.scheduler)) return err('ENOENT');
    if (spec.family === 'inet6' && (spec.netmask < 1 || spec.netmask > 128)) return err('EINVAL');
    return undefined;
  }

  newService(spec: IpvsServiceSpec): IpvsResult<void> {
    this.#log(`new-service ${ipvsServiceId(spec)} ${spec.scheduler}`);
    const f = this.#fail('new-service') ?? this.#checkService(spec);
    if (f !== undefined) return f;
    if (this.find(spec) !== undefined) return err('EEXIST');
    this.table.set(ipvsServiceId(spec), {
      spec: { ...spec, flags: spec.flags | IP_VS_SVC_F.HASHED },
      dests: [],
    });
    return ok;
  }

  setService(spec: IpvsServiceSpec): IpvsResult<void> {
    this.#log(`set-service ${ipvsServiceId(spec)} ${spec.scheduler}`);
    const f = this.#fail('set-service') ?? this.#checkService(spec);
    if (f !== undefined) return f;
    const s = this.find(spec);
    if (s === undefined) return err('ESRCH');
    s.spec = { ...spec, flags: spec.flags | IP_VS_SVC_F.HASHED };
    return ok;
  }

  delService(key: IpvsServiceKey): IpvsResult<void> {
    this.#log(`del-service ${ipvsServiceId(key)}`);
    const f = this.#fail('del-service');
    if (f !== undefined) return f;
    return this.table.delete(ipvsServiceId(key)) ? ok : err('ESRCH');
  }

  #checkDest(d: IpvsDestSpec): IpvsResult<void> | undefined {
    if (d.weight < 0 || d.lThreshold > d.uThreshold) return err('ERANGE');
    return undefined;
  }

  newDest(key: IpvsServiceKey, dest: IpvsDestSpec): IpvsResult<void> {
    this.#log(`new-dest ${ipvsServiceId(key)} ${destKeyId(dest)} w${dest.weight}`);
    const f = this.#fail('new-dest') ?? this.#checkDest(dest);
    if (f !== undefined) return f;
    const s = this.find(key);
    if (s === undefined) return err('ESRCH');
    if (s.dests.some((d) => destKeyId(d) === destKeyId(dest))) return err('EEXIST');
    s.dests.unshift({ ...dest, activeConns: 0, inactConns: 0, persistConns: 0, stats: ZERO_STATS });
    return ok;
  }

  setDest(key: IpvsServiceKey, dest: IpvsDestSpec): IpvsResult<void> {
    this.#log(`set-dest ${ipvsServiceId(key)} ${destKeyId(dest)} w${dest.weight}`);
    const f = this.#fail('set-dest') ?? this.#checkDest(dest);
    if (f !== undefined) return f;
    const s = this.find(key);
    if (s === undefined) return err('ESRCH');
    const i = s.dests.findIndex((d) => destKeyId(d) === destKeyId(dest));
    const old = s.dests[i];
    if (old === undefined) return err('ENOENT');
    s.dests[i] = { ...old, ...dest };
    return ok;
  }

  delDest(key: IpvsServiceKey, dest: IpvsDestKey): IpvsResult<void> {
    this.#log(`del-dest ${ipvsServiceId(key)} ${destKeyId(dest)}`);
    const f = this.#fail('del-dest');
    if (f !== undefined) return f;
    const s = this.find(key);
    if (s === undefined) return err('ESRCH');
    const i = s.dests.findIndex((d) => destKeyId(d) === destKeyId(dest));
    if (i < 0) return err('ENOENT');
    s.dests.splice(i, 1);
    return ok;
  }

  zero(key?: IpvsServiceKey): IpvsResult<void> {
    this.#log(key === undefined ? 'zero' : `zero ${ipvsServiceId(key)}`);
    const targets = key === undefined ? [...this.table.values()] : [this.find(key)];
    if (targets.includes(undefined)) return err('ESRCH');
    for (const s of targets)
      if (s !== undefined) s.dests = s.dests.map((d) => ({ ...d, stats: ZERO_STATS }));
    return ok;
  }

  flush(): IpvsResult<void> {
    this.#log('flush');
    this.table.clear();
    return ok;
  }

  timeouts(): IpvsResult<IpvsTimeouts> {
    this.#log('get-config');
    return { ok: true, value: this.timeoutsNow };
  }

  setTimeouts(t: IpvsTimeouts): IpvsResult<void> {
    this.#log(`set-config ${t.tcp} ${t.tcpfin} ${t.udp}`);
    this.timeoutsNow = {
      tcp: t.tcp || this.timeoutsNow.tcp,
      tcpfin: t.tcpfin || this.timeoutsNow.tcpfin,
      udp: t.udp || this.timeoutsNow.udp,
    };
    return ok;
  }

  daemons(): IpvsResult<IpvsDaemon[]> {
    this.#log('get-daemons');
    return { ok: true, value: [...this.running.values()] };
  }

  startDaemon(d: IpvsDaemon): IpvsResult<void> {
    this.#log(`new-daemon ${d.state} ${d.mcastInterface} ${d.syncId}`);
    if (this.running.has(d.state)) return err('EEXIST');
    this.running.set(d.state, {
      syncMaxlen: 1472,
      mcastGroup: '224.0.0.81',
      mcastPort: 8848,
      mcastTtl: 1,
      ...d,
    });
    return ok;
  }

  stopDaemon(state: 'master' | 'backup'): IpvsResult<void> {
    this.#log(`del-daemon ${state}`);
    return this.running.delete(state) ? ok : err('ESRCH');
  }

  close(): void {
    this.closed = true;
  }
}
