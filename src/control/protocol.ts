// The control socket's wire format (docs/control.md): each message is a frame of a 4-byte
// big-endian body length followed by a UTF-8 JSON body. Length-prefixing (rather than NDJSON)
// lets a reader refuse an oversized request from its header, before buffering it. Everything
// that reads peer bytes returns verdicts and never throws (house style §12, §16): a daemon must
// survive any byte sequence a local client can write.

import type { ErrorCode } from '../lib/errors.js';

export const PROTOCOL_VERSION = 1;
export const FRAME_HEADER_BYTES = 4;
/** Largest request body the daemon accepts: requests are small commands. */
export const MAX_REQUEST_FRAME = 1024 * 1024;
/** Largest response body a client accepts: a full table listing can be large. */
export const MAX_RESPONSE_FRAME = 16 * 1024 * 1024;
/** Method names are short identifiers; anything longer is a malformed request. */
export const MAX_METHOD_LENGTH = 64;

/** Codes that travel on the wire in `error.code`, a subset of the catalogue in lib/errors.ts. */
export type ControlWireCode = Extract<
  ErrorCode,
  | 'ERR_CONTROL_BAD_FRAME'
  | 'ERR_CONTROL_FRAME_TOO_LARGE'
  | 'ERR_CONTROL_BAD_JSON'
  | 'ERR_CONTROL_BAD_REQUEST'
  | 'ERR_CONTROL_UNSUPPORTED_VERSION'
  | 'ERR_CONTROL_UNKNOWN_METHOD'
  | 'ERR_CONTROL_INTERNAL'
  | 'ERR_CONTROL_BUSY'
>;

export type ControlParams = Readonly<Record<string, unknown>>;

export interface ControlRequest {
  readonly v: typeof PROTOCOL_VERSION;
  readonly id: number;
  readonly method: string;
  readonly params?: ControlParams;
}

export interface ControlErrorBody {
  /** A catalogue code; a newer daemon may send codes this client does not know. */
  readonly code: string;
  readonly message: string;
}

/** `id` is null only when the request's id could not be read (or no request was made). */
export type ControlResponse =
  | {
      readonly v: typeof PROTOCOL_VERSION;
      readonly id: number;
      readonly ok: true;
      readonly result: unknown;
    }
  | {
      readonly v: typeof PROTOCOL_VERSION;
      readonly id: number | null;
      readonly ok: false;
      readonly error: ControlErrorBody;
    };

// ---- framing ----

export type FrameReason = 'too-large';

export type FrameResult =
  | { readonly ok: true; readonly frames: readonly Buffer[] }
  /** `frames` holds the complete frames that came before the bad header, to be answered first. */
  | {
      readonly ok: false;
      readonly frames: readonly Buffer[];
      readonly reason: FrameReason;
      readonly length: number;
    };

export function frameLength(body: Buffer): number {
  return FRAME_HEADER_BYTES + body.length;
}

/** One frame around an already-encoded body; callers check the size limit that applies to them. */
export function encodeFrame(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(frameLength(body));
  out.writeUInt32BE(body.length, 0);
  body.copy(out, FRAME_HEADER_BYTES);
  return out;
}

export function encodeMessage(value: ControlRequest | ControlResponse): Buffer {
  return encodeFrame(Buffer.from(JSON.stringify(value), 'utf8'));
}

/**
 * Reassembles frames from stream chunks cut anywhere. Each body is copied once into a buffer of
 * its announced size, so a 16 MiB response arriving in 64 KiB chunks costs linear time. After a
 * too-large header the stream cannot be resynchronised, so the decoder stays failed.
 */
export class FrameDecoder {
  readonly #max: number;
  readonly #header = Buffer.alloc(FRAME_HEADER_BYTES);
  #headerFill = 0;
  #body: Buffer | undefined;
  #bodyFill = 0;
  #failed: { reason: FrameReason; length: number } | undefined;

  constructor(maxBody: number) {
    this.#max = maxBody;
  }

  /** Bytes of an incomplete frame held so far (0 between frames). */
  get buffered(): number {
    return this.#headerFill + this.#bodyFill;
  }

  push(chunk: Uint8Array): FrameResult {
    const frames: Buffer[] = [];
    if (this.#failed !== undefined) return { ok: false, frames, ...this.#failed };
    let at = 0;
    while (at < chunk.length) {
      if (this.#body === undefined) {
        const n = Math.min(FRAME_HEADER_BYTES - this.#headerFill, chunk.length - at);
        this.#header.set(chunk.subarray(at, at + n), this.#headerFill);
        this.#headerFill += n;
        at += n;
        if (this.#headerFill < FRAME_HEADER_BYTES) break;
        const length = this.#header.readUInt32BE(0);
        if (length > this.#max) {
          this.#failed = { reason: 'too-large', length };
          return { ok: false, frames, ...this.#failed };
        }
        this.#body = Buffer.allocUnsafe(length);
        this.#bodyFill = 0;
      }
      const n = Math.min(this.#body.length - this.#bodyFill, chunk.length - at);
      this.#body.set(chunk.subarray(at, at + n), this.#bodyFill);
      this.#bodyFill += n;
      at += n;
      if (this.#bodyFill === this.#body.length) {
        frames.push(this.#body);
        this.#body = undefined;
        this.#bodyFill = 0;
        this.#headerFill = 0;
      }
    }
    return { ok: true, frames };
  }
}

// ---- bodies ----

export type BodyReason = 'empty' | 'bad-utf8' | 'bad-json';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** A frame body as JSON. An empty body or invalid UTF-8 is a framing fault, not a JSON one. */
export function decodeBody(
  body: Uint8Array,
): { ok: true; value: unknown } | { ok: false; reason: BodyReason } {
  if (body.length === 0) return { ok: false, reason: 'empty' };
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { ok: false, reason: 'bad-utf8' };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, reason: 'bad-json' };
  }
}

export type RequestReason = 'bad-request' | 'unsupported-version';

export type RequestResult =
  | { readonly ok: true; readonly value: ControlRequest }
  /** `id` is echoed in the error reply when it could be read. */
  | {
      readonly ok: false;
      readonly reason: RequestReason;
      readonly id: number | null;
      readonly detail: string;
    };

function isRecord(v: unknown): v is Readonly<Record<string, unknown>> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isId(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Checks a parsed JSON value is a request; the version is checked before the rest. */
export function decodeRequest(value: unknown): RequestResult {
  if (!isRecord(value)) return bad(null, 'a request is a JSON object');
  const id = isId(value.id) ? value.id : null;
  if (typeof value.v !== 'number') return bad(id, '"v" must be the protocol version number');
  if (value.v !== PROTOCOL_VERSION) {
    const detail = `protocol version ${value.v} is not supported (this daemon speaks ${PROTOCOL_VERSION})`;
    return { ok: false, reason: 'unsupported-version', id, detail };
  }
  if (id === null) return bad(null, '"id" must be a non-negative integer');
  const { method, params } = value;
  if (typeof method !== 'string' || method.length === 0 || method.length > MAX_METHOD_LENGTH)
    return bad(id, `"method" must be a string of 1 to ${MAX_METHOD_LENGTH} characters`);
  if (params === undefined) return { ok: true, value: { v: PROTOCOL_VERSION, id, method } };
  if (!isRecord(params)) return bad(id, '"params" must be a JSON object');
  return { ok: true, value: { v: PROTOCOL_VERSION, id, method, params } };
}

function bad(id: number | null, detail: string): RequestResult {
  return { ok: false, reason: 'bad-request', id, detail };
}

export type ResponseResult =
  | { readonly ok: true; readonly value: ControlResponse }
  | { readonly ok: false; readonly reason: 'bad-response' | 'unsupported-version' };

/** Checks a parsed JSON value is a response (the client side of decodeRequest). */
export function decodeResponse(value: unknown): ResponseResult {
  if (!isRecord(value)) return { ok: false, reason: 'bad-response' };
  if (value.v !== PROTOCOL_VERSION)
    return {
      ok: false,
      reason: typeof value.v === 'number' ? 'unsupported-version' : 'bad-response',
    };
  const { id, ok } = value;
  if (ok === true) {
    if (!isId(id) || !('result' in value)) return { ok: false, reason: 'bad-response' };
    return { ok: true, value: { v: PROTOCOL_VERSION, id, ok, result: value.result } };
  }
  const error = value.error;
  if (
    ok !== false ||
    (id !== null && !isId(id)) ||
    !isRecord(error) ||
    typeof error.code !== 'string' ||
    typeof error.message !== 'string'
  )
    return { ok: false, reason: 'bad-response' };
  return {
    ok: true,
    value: { v: PROTOCOL_VERSION, id, ok, error: { code: error.code, message: error.message } },
  };
}

/** The wire code for each way a request can fail before it reaches a handler. */
export const REASON_CODES = {
  'too-large': 'ERR_CONTROL_FRAME_TOO_LARGE',
  empty: 'ERR_CONTROL_BAD_FRAME',
  'bad-utf8': 'ERR_CONTROL_BAD_FRAME',
  'bad-json': 'ERR_CONTROL_BAD_JSON',
  'bad-request': 'ERR_CONTROL_BAD_REQUEST',
  'unsupported-version': 'ERR_CONTROL_UNSUPPORTED_VERSION',
} as const satisfies Record<FrameReason | BodyReason | RequestReason, ControlWireCode>;

export function errorResponse(
  id: number | null,
  code: ControlWireCode | ErrorCode,
  message: string,
): ControlResponse {
  return { v: PROTOCOL_VERSION, id, ok: false, error: { code, message } };
}
