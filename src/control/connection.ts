// One client connection of the control server: frames in, requests answered strictly in order,
// frames out. A frame whose body cannot be read (empty, not UTF-8, not JSON, too large) ends the
// connection after its error reply, since nothing after it can be trusted; a well-formed but
// wrong request (bad shape, other version, unknown method) gets its error and the connection
// stays. An idle connection is ended so a forgotten client cannot hold a slot for ever.

import type { Socket } from 'node:net';
import type { Clock } from '../lib/clock.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';
import {
  decodeBody,
  decodeRequest,
  encodeMessage,
  errorResponse,
  FrameDecoder,
  FRAME_HEADER_BYTES,
  MAX_REQUEST_FRAME,
  MAX_RESPONSE_FRAME,
  REASON_CODES,
  type ControlParams,
  type ControlResponse,
} from './protocol.js';

export type Dispatch = (
  id: number,
  method: string,
  params: ControlParams,
) => Promise<ControlResponse>;

export interface ConnectionOptions {
  readonly clock: Clock;
  readonly idleTimeoutMs: number;
  readonly log: Logger;
  readonly dispatch: Dispatch;
}

/** Frames queued on one connection before it stops reading (a pipelining client). */
const MAX_QUEUED_FRAMES = 32;

type Item = { readonly frame: Buffer } | { readonly fatal: ControlResponse };

export class Connection {
  readonly #socket: Socket;
  readonly #options: ConnectionOptions;
  readonly #decoder = new FrameDecoder(MAX_REQUEST_FRAME);
  readonly #queue: Item[] = [];
  #busy = false;
  #done = false;
  #peerEnded = false;
  #cancelIdle: (() => void) | undefined;

  constructor(socket: Socket, options: ConnectionOptions) {
    this.#socket = socket;
    this.#options = options;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    // Reset by peer and the like: nothing to answer, just let go.
    socket.on('error', (err) => {
      options.log.debug({ err }, 'control connection error');
      socket.destroy();
    });
    socket.once('close', () => this.#finish());
    // A client may half-close after its last request (as `nc -N` does): answer what was sent,
    // then end. Bytes of an unfinished frame at that point are a truncated frame.
    socket.once('end', () => this.#onEnd());
    this.#armIdle();
  }

  #onData(chunk: Buffer): void {
    if (this.#done) return;
    this.#cancelIdle?.();
    const r = this.#decoder.push(chunk);
    for (const frame of r.frames) this.#queue.push({ frame });
    if (!r.ok) {
      const msg = `frame of ${r.length} bytes exceeds the ${MAX_REQUEST_FRAME} byte request limit`;
      this.#queue.push({ fatal: errorResponse(null, REASON_CODES[r.reason], msg) });
      this.#socket.pause();
    } else if (this.#queue.length >= MAX_QUEUED_FRAMES) this.#socket.pause();
    void this.#pump();
  }

  #onEnd(): void {
    if (this.#done) return;
    this.#peerEnded = true;
    if (this.#decoder.buffered > 0) {
      const msg = `connection ended ${this.#decoder.buffered} bytes into a frame`;
      this.#queue.push({ fatal: errorResponse(null, 'ERR_CONTROL_BAD_FRAME', msg) });
    }
    void this.#pump();
  }

  async #pump(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      for (let item = this.#queue.shift(); item !== undefined; item = this.#queue.shift()) {
        if (this.#done) return;
        const { reply, last } =
          'fatal' in item ? { reply: item.fatal, last: true } : await this.#answer(item.frame);
        // The peer may have gone while a handler ran.
        if (this.#closed()) return;
        if (last) {
          this.#options.log.debug(
            { code: errorCode(reply) },
            'control connection closed: bad frame',
          );
          this.#done = true;
          // Destroy once the reply is out: a peer still writing (an oversized body) would
          // otherwise keep the half-open socket for ever, since we no longer read.
          this.#socket.end(encodeReply(reply), () => this.#socket.destroy());
          return;
        }
        if (!this.#socket.write(encodeReply(reply))) await drained(this.#socket);
      }
    } finally {
      this.#busy = false;
    }
    if (this.#closed()) return;
    if (this.#peerEnded) {
      this.#done = true;
      this.#socket.end();
      return;
    }
    if (this.#socket.isPaused()) this.#socket.resume();
    this.#armIdle();
  }

  async #answer(frame: Buffer): Promise<{ reply: ControlResponse; last: boolean }> {
    const body = decodeBody(frame);
    if (!body.ok) {
      const msg =
        body.reason === 'bad-json'
          ? 'body is not valid JSON'
          : `body is ${body.reason === 'empty' ? 'empty' : 'not valid UTF-8'}`;
      return { reply: errorResponse(null, REASON_CODES[body.reason], msg), last: true };
    }
    const req = decodeRequest(body.value);
    if (!req.ok)
      return { reply: errorResponse(req.id, REASON_CODES[req.reason], req.detail), last: false };
    const { id, method, params } = req.value;
    return { reply: await this.#options.dispatch(id, method, params ?? {}), last: false };
  }

  #closed(): boolean {
    return this.#done;
  }

  #armIdle(): void {
    this.#cancelIdle?.();
    this.#cancelIdle = this.#options.clock.setTimer(this.#options.idleTimeoutMs, () => {
      this.#cancelIdle = undefined;
      if (this.#busy || this.#done) return;
      this.#done = true;
      // Destroy once flushed: a half-open peer that ignores our EOF must not keep the slot.
      this.#socket.end(() => this.#socket.destroy());
    });
  }

  #finish(): void {
    this.#done = true;
    this.#cancelIdle?.();
    this.#cancelIdle = undefined;
    this.#queue.length = 0;
  }
}

function errorCode(r: ControlResponse): string | undefined {
  return r.ok ? undefined : r.error.code;
}

/** The reply's frame; a result too big for a frame or not serialisable becomes an error reply. */
function encodeReply(reply: ControlResponse): Buffer {
  let frame: Buffer;
  try {
    frame = encodeMessage(reply);
  } catch (err) {
    return encodeMessage(
      errorResponse(reply.id, 'ERR_CONTROL_INTERNAL', `result is not JSON: ${errorMessage(err)}`),
    );
  }
  const body = frame.length - FRAME_HEADER_BYTES;
  if (body <= MAX_RESPONSE_FRAME) return frame;
  const msg = `response of ${body} bytes exceeds the ${MAX_RESPONSE_FRAME} byte limit`;
  return encodeMessage(errorResponse(reply.id, 'ERR_CONTROL_FRAME_TOO_LARGE', msg));
}

async function drained(socket: Socket): Promise<void> {
  await new Promise<void>((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}
