// The kernel's IPVS table over generic netlink (shared/reference/ipvs.md §7), as libipvs drives
// it for ipvsadm and keepalived: resolve the "IPVS" family once, then one request per change
// and dumps for the listings, all on one socket the client keeps open. Every call returns a
// value — the decoded reply, or the kernel's errno as { ok: false, code: 'EEXIST', ... } — so
// callers word errors themselves (ipvsadm's texts, log lines). Calls are synchronous: the
// kernel answers inside sendmsg/recvmsg, and SO_RCVTIMEO bounds every wait.

import { spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import type { Family } from '../lib/inet.js';
import { genlRequest, resolveFamily, type GenlMessage } from './genetlink.js';
import { closeNetlink, fail, NETLINK_GENERIC, openNetlink, type RtnlFailure } from './netlink.js';
import { loadLibc } from './libc.js';
import { NLM_F } from './rtnl-codec.js';
import {
  decodeConfigMessage,
  decodeDaemonMessage,
  decodeDestMessage,
  decodeInfoMessage,
  decodeServiceMessage,
} from './ipvs-decode.js';
import { encodeIpvsRequest } from './ipvs-encode.js';
import {
  IPVS_GENL_NAME,
  IPVS_GENL_VERSION,
  type IpvsDaemon,
  type IpvsDecoded,
  type IpvsDest,
  type IpvsDestKey,
  type IpvsDestSpec,
  type IpvsInfo,
  type IpvsRequest,
  type IpvsService,
  type IpvsServiceKey,
  type IpvsServiceSpec,
  type IpvsTimeouts,
} from './ipvs-netlink.js';

export type IpvsResult<T> = { readonly ok: true; readonly value: T } | RtnlFailure;

/** The operations a data plane and tandemadm need; IpvsNetlink is the kernel's, tests fake it. */
export interface IpvsKernel {
  info(): IpvsResult<IpvsInfo>;
  services(): IpvsResult<IpvsService[]>;
  service(key: IpvsServiceKey): IpvsResult<IpvsService>;
  /** The destinations of a service, in the kernel's order (most recently added first). */
  dests(key: IpvsServiceKey): IpvsResult<IpvsDest[]>;
  newService(spec: IpvsServiceSpec): IpvsResult<void>;
  setService(spec: IpvsServiceSpec): IpvsResult<void>;
  delService(key: IpvsServiceKey): IpvsResult<void>;
  newDest(service: IpvsServiceKey, dest: IpvsDestSpec): IpvsResult<void>;
  setDest(service: IpvsServiceKey, dest: IpvsDestSpec): IpvsResult<void>;
  delDest(service: IpvsServiceKey, dest: IpvsDestKey): IpvsResult<void>;
  /** Counters of one service and its destinations, or of everything. */
  zero(service?: IpvsServiceKey): IpvsResult<void>;
  flush(): IpvsResult<void>;
  timeouts(): IpvsResult<IpvsTimeouts>;
  /** 0 leaves a value as it is. */
  setTimeouts(t: IpvsTimeouts): IpvsResult<void>;
  daemons(): IpvsResult<IpvsDaemon[]>;
  startDaemon(d: IpvsDaemon): IpvsResult<void>;
  stopDaemon(state: 'master' | 'backup'): IpvsResult<void>;
  close(): void;
}

const DEFAULT_TIMEOUT_MS = 2000;

export interface OpenIpvsOptions {
  readonly timeoutMs?: number;
  /** Run `modprobe ip_vs` once when the family is missing, as ipvsadm and keepalived do. */
  readonly modprobe?: boolean;
}

export type OpenIpvsResult = { readonly ok: true; readonly kernel: IpvsNetlink } | RtnlFailure;

/**
 * A client for the kernel's IPVS family. ENOENT: the family is not registered (no ip_vs
 * module); ENOSYS: no native calls on this platform.
 */
export function openIpvs(opts: OpenIpvsOptions = {}): OpenIpvsResult {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const sock = openNetlink(0, { protocol: NETLINK_GENERIC, timeoutMs });
  if (!sock.ok) return sock;
  let fam = resolveFamily(IPVS_GENL_NAME, { fd: sock.fd, timeoutMs });
  if (!fam.ok && fam.code === 'ENOENT' && opts.modprobe === true && loadIpvsModule()) {
    fam = resolveFamily(IPVS_GENL_NAME, { fd: sock.fd, timeoutMs });
  }
  if (!fam.ok) {
    closeNetlink(sock.fd);
    return fam;
  }
  return { ok: true, kernel: new IpvsNetlink(sock.fd, fam.family.id, timeoutMs) };
}

/** `modprobe ip_vs`, quietly; true when it exited 0. */
export function loadIpvsModule(): boolean {
  const r = spawnSync('modprobe', ['-q', 'ip_vs'], { stdio: 'ignore', timeout: 10_000 });
  return r.status === 0;
}

/** strerror(3) of an errno name ('ESRCH' → 'No such process'); undefined when unknown. */
export function errnoText(code: string): string | undefined {
  const n = (constants.errno as Readonly<Record<string, number | undefined>>)[code];
  if (n === undefined) return undefined;
  return loadLibc()?.strerror(n);
}

function decoded<T>(r: IpvsDecoded<T>): IpvsResult<T> {
  return r.ok ? r : fail('EPROTO', `garbled IPVS reply (${r.reason})`);
}

export class IpvsNetlink implements IpvsKernel {
  readonly #fd: number;
  readonly #family: number;
  readonly #timeoutMs: number;
  #closed = false;

  constructor(fd: number, family: number, timeoutMs: number) {
    this.#fd = fd;
    this.#family = family;
    this.#timeoutMs = timeoutMs;
  }

  /** The generic netlink id of "IPVS" on this kernel. */
  get familyId(): number {
    return this.#family;
  }

  /** One request; the replies' genl messages. */
  request(r: IpvsRequest): IpvsResult<readonly GenlMessage[]> {
    if (this.#closed) return fail('EBADF', 'the IPVS client is closed');
    const e = encodeIpvsRequest(r);
    const reply = genlRequest(
      this.#family,
      IPVS_GENL_VERSION,
      e.cmd,
      e.attrs,
      e.dump ? NLM_F.DUMP : 0,
      { fd: this.#fd, timeoutMs: this.#timeoutMs },
    );
    return reply.ok ? { ok: true, value: reply.messages } : reply;
  }

  #done(r: IpvsRequest): IpvsResult<void> {
    const reply = this.request(r);
    return reply.ok ? { ok: true, value: undefined } : reply;
  }

  #each<T>(r: IpvsRequest, decode: (m: GenlMessage) => IpvsDecoded<T>): IpvsResult<T[]> {
    const reply = this.request(r);
    if (!reply.ok) return reply;
    const out: T[] = [];
    for (const m of reply.value) {
      const d = decoded(decode(m));
      if (!d.ok) return d;
      out.push(d.value);
    }
    return { ok: true, value: out };
  }

  #one<T>(r: IpvsRequest, decode: (m: GenlMessage) => IpvsDecoded<T>): IpvsResult<T> {
    const all = this.#each(r, decode);
    if (!all.ok) return all;
    const [first] = all.value;
    return first === undefined
      ? fail('EPROTO', 'the kernel sent no reply')
      : { ok: true, value: first };
  }

  info(): IpvsResult<IpvsInfo> {
    return this.#one({ op: 'get-info' }, decodeInfoMessage);
  }

  services(): IpvsResult<IpvsService[]> {
    return this.#each({ op: 'get-services' }, decodeServiceMessage);
  }

  service(key: IpvsServiceKey): IpvsResult<IpvsService> {
    return this.#one({ op: 'get-service', service: key }, decodeServiceMessage);
  }

  dests(key: IpvsServiceKey): IpvsResult<IpvsDest[]> {
    const family: Family = key.family;
    return this.#each({ op: 'get-dests', service: key }, (m) => decodeDestMessage(m, family));
  }

  newService(spec: IpvsServiceSpec): IpvsResult<void> {
    return this.#done({ op: 'new-service', service: spec });
  }

  setService(spec: IpvsServiceSpec): IpvsResult<void> {
    return this.#done({ op: 'set-service', service: spec });
  }

  delService(key: IpvsServiceKey): IpvsResult<void> {
    return this.#done({ op: 'del-service', service: key });
  }

  newDest(service: IpvsServiceKey, dest: IpvsDestSpec): IpvsResult<void> {
    return this.#done({ op: 'new-dest', service, dest });
  }

  setDest(service: IpvsServiceKey, dest: IpvsDestSpec): IpvsResult<void> {
    return this.#done({ op: 'set-dest', service, dest });
  }

  delDest(service: IpvsServiceKey, dest: IpvsDestKey): IpvsResult<void> {
    return this.#done({ op: 'del-dest', service, dest });
  }

  zero(service?: IpvsServiceKey): IpvsResult<void> {
    return this.#done(service === undefined ? { op: 'zero' } : { op: 'zero', service });
  }

  flush(): IpvsResult<void> {
    return this.#done({ op: 'flush' });
  }

  timeouts(): IpvsResult<IpvsTimeouts> {
    return this.#one({ op: 'get-config' }, decodeConfigMessage);
  }

  setTimeouts(timeouts: IpvsTimeouts): IpvsResult<void> {
    return this.#done({ op: 'set-config', timeouts });
  }

  daemons(): IpvsResult<IpvsDaemon[]> {
    return this.#each({ op: 'get-daemons' }, decodeDaemonMessage);
  }

  startDaemon(daemon: IpvsDaemon): IpvsResult<void> {
    return this.#done({ op: 'new-daemon', daemon });
  }

  stopDaemon(state: 'master' | 'backup'): IpvsResult<void> {
    return this.#done({ op: 'del-daemon', state });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeNetlink(this.#fd);
  }
}
