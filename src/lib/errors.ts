// The catalogue of operational and programmer errors (house style §17). Every error tandem
// throws is an AppError with a stable code from ERROR_CODES; codes are never reused and each
// is documented in docs/errors.md (a test keeps the two in step). Configuration problems are
// not errors in this sense: they are collected as diagnostics (src/config/diagnostics.ts).

export const ERROR_CODES = {
  // Virtual server table (src/ipvs); messages are ipvsadm's (libipvs ipvs_strerror) wording.
  ERR_IPVS_SERVICE_EXISTS: 'Service already exists',
  ERR_IPVS_NO_SERVICE: 'No such service',
  ERR_IPVS_DEST_EXISTS: 'Destination already exists',
  ERR_IPVS_NO_DEST: 'No such destination',
  ERR_IPVS_NO_SCHEDULER: 'Scheduler or persistence engine not found',
  ERR_IPVS_OUT_OF_RANGE: 'Numerical result out of range',
  ERR_IPVS_INVALID: 'Invalid argument',
  // Proxy data plane (src/dataplane).
  ERR_PROXY_BAD_TLV: 'PROXY protocol v2 TLV type is not a byte, or the header exceeds 64 KiB',
  // Control socket (src/control, docs/control.md). The first seven travel on the wire as the
  // `error.code` of a response; the rest are raised by the client or at server start.
  ERR_CONTROL_BAD_FRAME: 'Control frame is empty or not valid UTF-8',
  ERR_CONTROL_FRAME_TOO_LARGE: 'Control frame exceeds the size limit',
  ERR_CONTROL_BAD_JSON: 'Control frame is not valid JSON',
  ERR_CONTROL_BAD_REQUEST: 'Control request is not of the form { v, id, method, params? }',
  ERR_CONTROL_UNSUPPORTED_VERSION: 'Control protocol version is not supported',
  ERR_CONTROL_UNKNOWN_METHOD: 'Unknown control method',
  ERR_CONTROL_INTERNAL: 'Control method failed inside the daemon',
  ERR_CONTROL_BUSY: 'Too many control connections; try again',
  ERR_CONTROL_UNREACHABLE: 'No tandem daemon is listening on the control socket',
  ERR_CONTROL_IN_USE: 'Another tandem is running on the control socket',
  ERR_CONTROL_TIMEOUT: 'The daemon did not answer on the control socket in time',
  ERR_CONTROL_CLOSED: 'The control connection closed before the reply',
  ERR_CONTROL_BAD_RESPONSE: 'The daemon sent a malformed control response',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? ERROR_CODES[code], options);
    this.name = 'AppError';
    this.code = code;
  }
}

/** Narrow an unknown thrown value to a message, for the few places that print it. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
