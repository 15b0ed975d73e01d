// A real dnsmasq answering fixed A records (for DNS checkers and UDP data-plane tests), and a
// minimal DNS client over node:dgram: one hand-built query (RFC 1035 §4.1) and a bounds-checked
// answer parser, so tests need no resolver library and never touch the system's resolver.

import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { findBinary, spawnChild, stopChild, type Child } from './processes.js';

export interface DnsmasqOptions {
  readonly address: string;
  readonly port: number;
  /** name → IPv4 address */
  readonly records: Readonly<Record<string, string>>;
  /** Default 10 s. */
  readonly startTimeoutMs?: number;
  /** More dnsmasq options (e.g. `--auth-zone=…` for a local zone with an SOA). */
  readonly extraArgs?: readonly string[];
}

export interface Dnsmasq {
  readonly pid: number;
  readonly dir: string;
  stop(): Promise<void>;
}

/** A well-formed reply that reports failure (e.g. 3 = NXDOMAIN). */
export class DnsRcodeError extends Error {
  readonly rcode: number;
  constructor(rcode: number) {
    super(`dns rcode ${rcode}`);
    this.rcode = rcode;
  }
}

const TYPE_A = 1;
const CLASS_IN = 1;

/** RFC 1035 §4.1.1 header + §4.1.2 question for an A record, recursion desired. */
export function encodeQuery(id: number, name: string): Buffer {
  const labels = name
    .replace(/\.$/, '')
    .split('.')
    .map((l) => Buffer.from(l, 'ascii'));
  if (labels.some((l) => l.length === 0 || l.length > 63)) throw new Error(`bad name ${name}`);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id & 0xffff, 0);
  header.writeUInt16BE(0x0100, 2); // RD
  header.writeUInt16BE(1, 4); // QDCOUNT
  const qname = Buffer.concat([
    ...labels.flatMap((l) => [Buffer.from([l.length]), l]),
    Buffer.of(0),
  ]);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(TYPE_A, 0);
  tail.writeUInt16BE(CLASS_IN, 2);
  return Buffer.concat([header, qname, tail]);
}

/** Offset just past the (possibly compressed) name at `offset`, or -1 if it runs off the end. */
function skipName(buf: Buffer, offset: number): number {
  let o = offset;
  for (let hops = 0; hops < 128; hops++) {
    const len = buf[o];
    if (len === undefined) return -1;
    if (len === 0) return o + 1;
    if ((len & 0xc0) === 0xc0) return o + 2 <= buf.length ? o + 2 : -1; // pointer ends the name
    o += 1 + len;
  }
  return -1;
}

/** IPv4 addresses of the A answers to query `id`; an error for a malformed or failed reply. */
export function decodeAnswers(buf: Buffer, id: number): string[] {
  if (buf.length < 12) throw new Error('dns reply too short');
  if (buf.readUInt16BE(0) !== (id & 0xffff)) throw new Error('dns reply id mismatch');
  const flags = buf.readUInt16BE(2);
  if ((flags & 0x8000) === 0) throw new Error('dns reply is not a response');
  const rcode = flags & 0x0f;
  if (rcode !== 0) throw new DnsRcodeError(rcode);
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  let o = 12;
  for (let i = 0; i < qd; i++) {
    o = skipName(buf, o);
    if (o < 0 || o + 4 > buf.length) throw new Error('dns question truncated');
    o += 4;
  }
  const out: string[] = [];
  for (let i = 0; i < an; i++) {
    o = skipName(buf, o);
    if (o < 0 || o + 10 > buf.length) throw new Error('dns answer truncated');
    const type = buf.readUInt16BE(o);
    const klass = buf.readUInt16BE(o + 2);
    const rdlen = buf.readUInt16BE(o + 8);
    o += 10;
    if (o + rdlen > buf.length) throw new Error('dns rdata truncated');
    if (type === TYPE_A && klass === CLASS_IN && rdlen === 4)
      out.push([...buf.subarray(o, o + 4)].join('.'));
    o += rdlen;
  }
  return out;
}

/** One A query over UDP; resolves with the addresses (empty for NODATA), rejects on timeout. */
export function dnsQuery(
  server: string,
  port: number,
  name: string,
  timeoutMs = 2000,
): Promise<string[]> {
  const id = Math.floor(Math.random() * 0x10000);
  const sock = createSocket('udp4');
  return new Promise<string[]>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`no dns reply from ${server}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = (fn: () => void): void => {
      clearTimeout(timer);
      fn();
    };
    sock.on('error', (err) => finish(() => reject(err)));
    sock.on('message', (msg, rinfo) => {
      if (rinfo.address !== server || rinfo.port !== port) return; // not our server
      try {
        const answers = decodeAnswers(msg, id);
        finish(() => resolve(answers));
      } catch (err) {
        finish(() => reject(err instanceof Error ? err : new Error(String(err))));
      }
    });
    sock.send(encodeQuery(id, name), port, server);
  }).finally(() => sock.close());
}

export async function startDnsmasq(opts: DnsmasqOptions): Promise<Dnsmasq> {
  const bin = findBinary('dnsmasq');
  if (bin === undefined) throw new Error('dnsmasq is not installed (apt-get install dnsmasq-base)');
  const dir = mkdtempSync(join(tmpdir(), 'tandem-dnsmasq-'));
  const records = Object.entries(opts.records).map(([name, ip]) => `--host-record=${name},${ip}`);
  const child: Child = spawnChild(bin, [
    '--no-daemon',
    '--conf-file=/dev/null',
    '--no-resolv',
    '--no-hosts',
    '--bind-interfaces',
    `--listen-address=${opts.address}`,
    `--port=${opts.port}`,
    `--pid-file=${join(dir, 'dnsmasq.pid')}`,
    `--user=${userInfo().username}`,
    '--log-facility=-',
    ...records,
    ...(opts.extraArgs ?? []),
  ]);
  const stop = async (): Promise<void> => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  // Ready once it answers: poll with a query for a record we configured (or any name).
  const probe = Object.keys(opts.records)[0] ?? 'ready.invalid';
  const deadline = Date.now() + (opts.startTimeoutMs ?? 10_000);
  for (;;) {
    if (child.hasExited()) {
      await stop();
      throw new Error(`dnsmasq exited at start:\n${child.output()}`);
    }
    try {
      await dnsQuery(opts.address, opts.port, probe, 200);
      break;
    } catch (err) {
      if (err instanceof DnsRcodeError) break; // it answered
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`dnsmasq did not answer within the deadline:\n${child.output()}`, {
          cause: err,
        });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { pid: child.pid, dir, stop };
}
