// The client end of the control socket, for tandemadm and `tandem status`: one connection that
// can carry several requests (answered in order, matched by id), and a one-shot request().
// Every failure is a ControlError with a catalogue code, so callers print a clear line and pick
// an exit status without reading socket errno values themselves.

import { createConnection, type Socket } from 'node:net';
import { systemClock, type Clock } from '../lib/clock.js';
import { AppError, ERROR_CODES, type ErrorCode } from '../lib/errors.js';
import {
  decodeBody,
  decodeResponse,
  encodeMessage,
  FrameDecoder,
  MAX_RESPONSE_FRAME,
  PROTOCOL_VERSION,
  type ControlParams,
  type ControlResponse,
} from './protocol.js';

export class ControlError extends AppError {
  /** The code the daemon sent, when it is one this client's catalogue does not know. */
  readonly remoteCode: string | undefined;

  constructor(
    code: ErrorCode,
    message?: string,
    options?: { cause?: unknown; remoteCode?: string },
  ) {
    super(code, message, options);
    this.name = 'ControlError';
    this.remoteCode = options?.remoteCode;
  }
}

export interface ClientOptions {
  readonly timeoutMs?: number;
  readonly clock?: Clock;
}

interface Pending {
  readonly resolve: (r: unknown) => void;
  readonly reject: (e: ControlError) => void;
  readonly cancel: () => void;
}

export class ControlClient {
  readonly #socket: Socket;
  readonly #path: string;
  readonly #clock: Clock;
  readonly #decoder = new FrameDecoder(MAX_RESPONSE_FRAME);
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #failure: ControlError | undefined;

  private constructor(socket: Socket, path: string, clock: Clock) {
    this.#socket = socket;
    this.#path = path;
    this.#clock = clock;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (err) => this.#fail(socketError(err, path)));
    socket.once('close', () =>
      this.#fail(
        new ControlError('ERR_CONTROL_CLOSED', `${path}: connection closed by the daemon`),
      ),
    );
  }

  static async connect(path: string, options: ClientOptions = {}): Promise<ControlClient> {
    const clock = options.clock ?? systemClock;
    const socket = createConnection(path);
    await new Promise<void>((resolve, reject) => {
      const cancel = clock.setTimer(options.timeoutMs ?? 5000, () => {
        socket.destroy();
        reject(new ControlError('ERR_CONTROL_TIMEOUT', `${path}: no answer to connect`));
      });
      socket.once('connect', () => {
        cancel();
        socket.off('error', onError);
        resolve();
      });
      const onError = (err: NodeJS.ErrnoException): void => {
        cancel();
        reject(socketError(err, path));
      };
      socket.once('error', onError);
    });
    return new ControlClient(socket, path, clock);
  }

  /** Sends one request and resolves with its result; an error reply rejects with its code. */
  async request(
    method: string,
    params: ControlParams = {},
    options: ClientOptions = {},
  ): Promise<unknown> {
    if (this.#failure !== undefined) throw this.#failure;
    const id = this.#nextId++;
    const timeoutMs = options.timeoutMs ?? 5000;
    return new Promise<unknown>((resolve, reject) => {
      const cancel = this.#clock.setTimer(timeoutMs, () => {
        this.#pending.delete(id);
        reject(
          new ControlError(
            'ERR_CONTROL_TIMEOUT',
            `${this.#path}: no reply to "${method}" within ${timeoutMs} ms`,
          ),
        );
      });
      this.#pending.set(id, { resolve, reject, cancel });
      this.#socket.write(encodeMessage({ v: PROTOCOL_VERSION, id, method, params }));
    });
  }

  close(): void {
    this.#fail(new ControlError('ERR_CONTROL_CLOSED', `${this.#path}: connection closed`));
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    const r = this.#decoder.push(chunk);
    for (const frame of r.frames) {
      const response = parseResponse(frame);
      if (response === undefined) {
        this.#fail(
          new ControlError('ERR_CONTROL_BAD_RESPONSE', `${this.#path}: malformed response`),
        );
        this.#socket.destroy();
        return;
      }
      this.#settle(response);
    }
    if (!r.ok) {
      const msg = `${this.#path}: response of ${r.length} bytes exceeds the ${MAX_RESPONSE_FRAME} byte limit`;
      this.#fail(new ControlError('ERR_CONTROL_FRAME_TOO_LARGE', msg));
      this.#socket.destroy();
    }
  }

  #settle(response: ControlResponse): void {
    // An error without an id (connection refused as busy, unreadable request) concerns them all.
    if (response.id === null) {
      if (!response.ok) this.#fail(fromWire(response.error.code, response.error.message));
      return;
    }
    const pending = this.#pending.get(response.id);
    if (pending === undefined) return;
    this.#pending.delete(response.id);
    pending.cancel();
    if (response.ok) pending.resolve(response.result);
    else pending.reject(fromWire(response.error.code, response.error.message));
  }

  #fail(err: ControlError): void {
    this.#failure ??= err;
    for (const p of this.#pending.values()) {
      p.cancel();
      p.reject(err);
    }
    this.#pending.clear();
  }
}

/** One request on its own connection: what tandemadm does for each command. */
export async function request(
  path: string,
  method: string,
  params: ControlParams = {},
  options: ClientOptions = {},
): Promise<unknown> {
  const client = await ControlClient.connect(path, options);
  try {
    return await client.request(method, params, options);
  } finally {
    client.close();
  }
}

function parseResponse(frame: Buffer): ControlResponse | undefined {
  const body = decodeBody(frame);
  if (!body.ok) return undefined;
  const r = decodeResponse(body.value);
  return r.ok ? r.value : undefined;
}

function fromWire(code: string, message: string): ControlError {
  if (Object.hasOwn(ERROR_CODES, code)) return new ControlError(code as ErrorCode, message);
  return new ControlError('ERR_CONTROL_INTERNAL', `${message} [${code}]`, { remoteCode: code });
}

function socketError(err: NodeJS.ErrnoException, path: string): ControlError {
  if (err.code === 'ECONNREFUSED' || err.code === 'ENOENT')
    return new ControlError('ERR_CONTROL_UNREACHABLE', `no tandem daemon is listening on ${path}`, {
      cause: err,
    });
  if (err.code === 'EACCES')
    return new ControlError(
      'ERR_CONTROL_UNREACHABLE',
      `permission denied on ${path} (the socket is the daemon user's only)`,
      { cause: err },
    );
  return new ControlError('ERR_CONTROL_CLOSED', `${path}: ${err.message}`, { cause: err });
}
