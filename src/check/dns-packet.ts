// The DNS messages DNS_CHECK needs (RFC 1035 §4.1): one query (header + one question, RD set,
// as keepalived's dns_make_query builds it) and a defensive reader of replies. The reader never
// throws on untrusted bytes (house style §12, §16): a datagram shorter than a header is
// 'too-short'; anything else yields the header, plus the first question when it parses.

/** RFC 1035 §3.2.2 TYPE values, and RFC 3596 §2.1 for AAAA. */
export const DNS_TYPES = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  MX: 15,
  TXT: 16,
  AAAA: 28,
} as const;

export type DnsQueryType = keyof typeof DNS_TYPES;

const HEADER_LENGTH = 12; // RFC 1035 §4.1.1
const FLAG_QR = 0x8000;
const FLAG_RD = 0x0100;
const CLASS_IN = 1; // RFC 1035 §3.2.4
const MAX_LABEL = 63; // RFC 1035 §2.3.4
const MAX_NAME = 255;

export interface DnsQuestion {
  /** Lower-case, dot-separated, no trailing dot; '' for the root. */
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

export interface DnsReply {
  readonly id: number;
  readonly qr: boolean;
  readonly opcode: number;
  readonly rcode: number;
  readonly qdcount: number;
  readonly ancount: number;
  readonly nscount: number;
  readonly arcount: number;
  /** The first question, when the message carries one that parses. */
  readonly question?: DnsQuestion;
}

export type DnsDecodeResult =
  | { readonly ok: true; readonly value: DnsReply; readonly bytesRead: number }
  | { readonly ok: false; readonly reason: 'too-short' };

/** The wire labels of `name` (trailing dot optional, `.` = root); undefined if not encodable. */
function encodeName(name: string): Buffer | undefined {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  if (trimmed === '') return Buffer.of(0);
  const labels = trimmed.split('.').map((l) => Buffer.from(l, 'latin1'));
  if (labels.some((l) => l.length === 0 || l.length > MAX_LABEL)) return undefined;
  const out = Buffer.concat([...labels.flatMap((l) => [Buffer.of(l.length), l]), Buffer.of(0)]);
  return out.length > MAX_NAME ? undefined : out;
}

/** A query for `name`/`type`, class IN, recursion desired; undefined for an unencodable name. */
export function encodeDnsQuery(id: number, name: string, type: DnsQueryType): Buffer | undefined {
  const qname = encodeName(name);
  if (qname === undefined) return undefined;
  const header = Buffer.alloc(HEADER_LENGTH);
  header.writeUInt16BE(id & 0xffff, 0);
  header.writeUInt16BE(FLAG_RD, 2);
  header.writeUInt16BE(1, 4); // QDCOUNT
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(DNS_TYPES[type], 0);
  tail.writeUInt16BE(CLASS_IN, 2);
  return Buffer.concat([header, qname, tail]);
}

/** The name at `offset` (RFC 1035 §4.1.4 pointers followed, loops bounded) and where it ends. */
function readName(buf: Uint8Array, offset: number): { name: string; end: number } | undefined {
  const labels: string[] = [];
  let o = offset;
  let end = -1;
  let length = 0;
  for (let hops = 0; hops < 128; hops++) {
    const len = buf[o];
    if (len === undefined) return undefined;
    if (len === 0) {
      return { name: labels.join('.'), end: end < 0 ? o + 1 : end };
    }
    if ((len & 0xc0) === 0xc0) {
      const low = buf[o + 1];
      if (low === undefined) return undefined;
      if (end < 0) end = o + 2;
      o = ((len & 0x3f) << 8) | low;
      continue;
    }
    if ((len & 0xc0) !== 0 || o + 1 + len > buf.length) return undefined;
    length += len + 1;
    if (length > MAX_NAME) return undefined;
    labels.push(
      Buffer.from(buf.subarray(o + 1, o + 1 + len))
        .toString('latin1')
        .toLowerCase(),
    );
    o += 1 + len;
  }
  return undefined;
}

/** Header and first question of a DNS message; never throws. */
export function decodeDnsReply(buf: Uint8Array, offset = 0): DnsDecodeResult {
  if (offset < 0 || buf.length - offset < HEADER_LENGTH) return { ok: false, reason: 'too-short' };
  const msg = buf.subarray(offset);
  const view = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
  const flags = view.getUint16(2);
  const qdcount = view.getUint16(4);
  let bytesRead = HEADER_LENGTH;
  let question: DnsQuestion | undefined;
  if (qdcount > 0) {
    const name = readName(msg, HEADER_LENGTH);
    if (name !== undefined && name.end + 4 <= msg.length) {
      question = {
        name: name.name,
        type: view.getUint16(name.end),
        class: view.getUint16(name.end + 2),
      };
      bytesRead = name.end + 4;
    }
  }
  return {
    ok: true,
    value: {
      id: view.getUint16(0),
      qr: (flags & FLAG_QR) !== 0,
      opcode: (flags >> 11) & 0x0f,
      rcode: flags & 0x0f,
      qdcount,
      ancount: view.getUint16(6),
      nscount: view.getUint16(8),
      arcount: view.getUint16(10),
      ...(question === undefined ? {} : { question }),
    },
    bytesRead,
  };
}
