// The public surface of the ipvsadm command-line reader (shared/reference/ipvs.md §6.1, §6.2):
// argv → typed command or ipvsadm's own error text, and `-R` input → commands with line
// numbers. tandemadm reuses it; the daemon can apply the commands to its table.

export { parseIpvsadmArgs, KNOWN_PERSISTENCE_ENGINES, KNOWN_SCHEDULERS } from './parse.js';
export type { ParseOptions } from './parse.js';
export { parseRestore, restoreWords } from './restore.js';
export type { RestoreLine, RestoreResult } from './restore.js';
export type {
  CommandServiceFlags,
  DaemonSpec,
  IpvsadmCommand,
  IpvsadmError,
  ListView,
  ParseResult,
  ServerAddress,
  ServerSpec,
  ServiceSpec,
} from './command.js';
export type { ServiceLookup } from './values.js';
export { DEFAULT_PERSISTENT_TIMEOUT, MAX_TIMEOUT } from './apply.js';
export { DEFAULT_SCHEDULER } from './checks.js';
export { runIpvsadm, runIpvsadmOn, type IpvsadmResult, type RunIpvsadmOptions } from './execute.js';
export {
  tableBackend,
  isRefusal,
  type ChangeCommand,
  type IpvsadmBackend,
  type PlaneHooks,
  type Refusal,
} from './backend.js';
export { ipvsStrerror, KERNEL_ERROR_STATUS, type KernelOp } from './kernel-errors.js';
