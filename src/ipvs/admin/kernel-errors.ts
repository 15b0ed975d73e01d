// What ipvsadm prints when the kernel refuses a command (shared/reference/ipvs.md §6.2, §7):
// the table throws AppErrors whose codes stand for the kernel's errnos, and libipvs's
// ipvs_strerror words an errno according to the call that failed — ESRCH is "No such
// service" for -E/-D/-Z but "Service not defined" for -a/-e/-d. ipvsadm prints the text alone
// (no program name) and process_options returns -1, which the shell sees as status 255.

import { AppError, type ErrorCode } from '../../lib/errors.js';
import type { IpvsadmError } from './command.js';

/** The libipvs call behind a command, as ipvs_strerror tells them apart. */
export type KernelOp =
  | 'add-service'
  | 'edit-service'
  | 'delete-service'
  | 'zero'
  | 'add-server'
  | 'edit-server'
  | 'delete-server'
  | 'set-timeout'
  | 'start-daemon'
  | 'stop-daemon'
  | 'flush';

export type Errno = 'EEXIST' | 'ESRCH' | 'ENOENT' | 'ERANGE' | 'EINVAL' | 'ENOSYS';

/** `return -1` from process_options, as an exit status. */
export const KERNEL_ERROR_STATUS = 255;

/** The errno the kernel answers with in each case the table refuses. */
const ERRNO_OF: Readonly<Partial<Record<ErrorCode, Errno>>> = {
  ERR_IPVS_SERVICE_EXISTS: 'EEXIST',
  ERR_IPVS_DEST_EXISTS: 'EEXIST',
  ERR_IPVS_NO_SERVICE: 'ESRCH',
  ERR_IPVS_NO_DEST: 'ENOENT',
  ERR_IPVS_NO_SCHEDULER: 'ENOENT',
  ERR_IPVS_OUT_OF_RANGE: 'ERANGE',
  ERR_IPVS_INVALID: 'EINVAL',
};

/** ipvs_strerror's call-specific entries (libipvs 1.31). */
const BY_OP: Readonly<Partial<Record<KernelOp, Partial<Record<string, string>>>>> = {
  'add-service': {
    EEXIST: 'Service already exists',
    ENOENT: 'Scheduler or persistence engine not found',
  },
  'edit-service': {
    ESRCH: 'No such service',
    ENOENT: 'Scheduler or persistence engine not found',
  },
  'delete-service': { ESRCH: 'No such service' },
  zero: { ESRCH: 'No such service' },
  'add-server': { ESRCH: 'Service not defined', EEXIST: 'Destination already exists' },
  'edit-server': { ESRCH: 'Service not defined', ENOENT: 'No such destination' },
  'delete-server': { ESRCH: 'Service not defined', ENOENT: 'No such destination' },
  'start-daemon': { EEXIST: 'Daemon has already run' },
  'stop-daemon': { ESRCH: 'No daemon is running' },
};

/** ipvs_strerror's entries for any call (libipvs 1.31). */
const ANY_OP: Readonly<Record<string, string>> = {
  EPERM: 'Permission denied (you must be root)',
  EINVAL: 'Invalid operation.  Possibly wrong module version, address not unicast, ...',
  ENOPROTOOPT: 'Protocol not available',
  ENOMEM: 'Memory allocation problem',
  EOPNOTSUPP: 'Operation not supported with IPv6',
  EAFNOSUPPORT: 'Operation not supported with specified address family',
  EMSGSIZE: 'Module is wrong version',
};

/** glibc's strerror for the errnos the table stands for. */
const STRERROR: Readonly<Partial<Record<string, string>>> = {
  EINVAL: 'Invalid argument',
  EEXIST: 'File exists',
  ESRCH: 'No such process',
  ENOENT: 'No such file or directory',
  ERANGE: 'Numerical result out of range',
  ENOSYS: 'Function not implemented',
};

/**
 * ipvs_strerror(errno) after `op` failed: the call's entry, the generic entry, else
 * strerror(3) — `strerror` when the caller has the text (a kernel errno), else glibc's.
 */
export function ipvsStrerror(op: KernelOp | undefined, errno: string, strerror?: string): string {
  return (
    (op === undefined ? undefined : BY_OP[op]?.[errno]) ??
    ANY_OP[errno] ??
    strerror ??
    STRERROR[errno] ??
    errno
  );
}

/** What a table refusal stands for in the kernel: its errno. */
export function errnoOf(op: KernelOp, err: unknown): Errno {
  if (!(err instanceof AppError)) throw err;
  // `--set`: the kernel answers EINVAL for a timeout above INT_MAX/HZ, whatever the table says.
  const errno = op === 'set-timeout' ? 'EINVAL' : ERRNO_OF[err.code];
  if (errno === undefined) throw err;
  return errno;
}

/**
 * The ipvsadm error for a table refusal. Anything that is not a table refusal is a bug and is
 * rethrown.
 */
export function kernelError(op: KernelOp, err: unknown): IpvsadmError {
  return { message: ipvsStrerror(op, errnoOf(op, err)), exitCode: KERNEL_ERROR_STATUS };
}
