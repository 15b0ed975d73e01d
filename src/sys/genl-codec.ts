// Generic netlink wire format (include/uapi/linux/genetlink.h): the 4-byte genlmsghdr that
// follows nlmsghdr, and the nlctrl family's GETFAMILY request and reply, which turn a family
// name ("IPVS") into the message type the kernel assigned it at module load. Pure functions;
// decoders take kernel bytes and return verdicts, never throwing. Host-endian, like netlink.

import { attrString, attrString0, findAttr, u32At } from './rtnl-attrs.js';
import { decodeAttrs, type DecodeResult, type RtAttr } from './rtnl-codec.js';
import { endianness } from 'node:os';

const LE = endianness() === 'LE';

/** struct genlmsghdr: u8 cmd, u8 version, u16 reserved. */
export const GENL_HDRLEN = 4;
/** The controller family's fixed id and its commands and attributes (linux/genetlink.h). */
export const GENL_ID_CTRL = 0x10;
export const CTRL_CMD_GETFAMILY = 3;
export const CTRL_ATTR = {
  FAMILY_ID: 1,
  FAMILY_NAME: 2,
  VERSION: 3,
  HDRSIZE: 4,
  MAXATTR: 5,
} as const;
/** The nlctrl version libnl and iproute2 send; the kernel accepts any. */
const CTRL_VERSION = 2;

export interface GenlMessage {
  readonly cmd: number;
  readonly version: number;
  readonly attrs: readonly RtAttr[];
}

export interface GenlFamily {
  readonly id: number;
  readonly name: string;
  readonly version: number;
  readonly maxAttr: number;
}

export function encodeGenlHeader(cmd: number, version: number): Uint8Array {
  return Uint8Array.of(cmd & 0xff, version & 0xff, 0, 0);
}

/** A genetlink message body (what follows nlmsghdr): its header, then attributes. */
export function decodeGenl(payload: Uint8Array): DecodeResult<GenlMessage> {
  if (payload.length < GENL_HDRLEN) return { ok: false, reason: 'too-short' };
  const attrs = decodeAttrs(payload.subarray(GENL_HDRLEN));
  if (!attrs.ok) return attrs;
  return {
    ok: true,
    value: { cmd: payload[0] ?? 0, version: payload[1] ?? 0, attrs: attrs.value },
    bytesRead: payload.length,
  };
}

/** The CTRL_CMD_GETFAMILY request body and attributes for `name`. */
export function familyRequest(name: string): { body: Uint8Array; attrs: readonly RtAttr[] } {
  return {
    body: encodeGenlHeader(CTRL_CMD_GETFAMILY, CTRL_VERSION),
    attrs: [attrString(CTRL_ATTR.FAMILY_NAME, name)],
  };
}

/** The controller's NEWFAMILY reply: id, name, version and highest attribute. */
export function decodeFamily(payload: Uint8Array): DecodeResult<GenlFamily> {
  const m = decodeGenl(payload);
  if (!m.ok) return m;
  const id = findAttr(m.value.attrs, CTRL_ATTR.FAMILY_ID);
  if (id === undefined || id.length < 2) return { ok: false, reason: 'bad-attr-length' };
  return {
    ok: true,
    value: {
      id: new DataView(id.buffer, id.byteOffset, 2).getUint16(0, LE),
      name: attrString0(m.value.attrs, CTRL_ATTR.FAMILY_NAME) ?? '',
      version: u32Of(m.value.attrs, CTRL_ATTR.VERSION),
      maxAttr: u32Of(m.value.attrs, CTRL_ATTR.MAXATTR),
    },
    bytesRead: payload.length,
  };
}

function u32Of(attrs: readonly RtAttr[], type: number): number {
  const v = findAttr(attrs, type);
  return v === undefined ? 0 : (u32At(v, 0) ?? 0);
}
