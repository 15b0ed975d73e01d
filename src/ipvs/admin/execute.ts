// `ipvsadm <argv>` carried out on tandem's virtual server table, with ipvsadm 1.31's output,
// error texts and exit statuses (shared/reference/ipvs.md §6; process_options in ipvsadm.c).
// Parse errors are ipvsadm's own `fail()` (status 2) or popt's (255); a refusal by the table
// is the kernel's errno worded by ipvs_strerror (kernel-errors.ts, status 255); listing one
// missing service exits 1. `-R` reads `opts.stdin` line by line as ipvsadm reads stdin: a
// kernel refusal is printed and the next line runs, a parse error ends the run, and the exit
// status is the last line's. The commands run on a backend (backend.ts): tandem's table, with
// whatever a kernel data plane adds (connections, sync daemons), or the kernel's own table.

import type { IpvsTable } from '../table.js';
import {
  renderConnections,
  renderDaemons,
  renderList,
  renderSave,
  renderServiceListing,
  renderTimeouts,
  renderVersion,
} from '../render/index.js';
import {
  isRefusal,
  kernelOpOf,
  tableBackend,
  type ChangeCommand,
  type IpvsadmBackend,
  type Refusal,
} from './backend.js';
import type { IpvsadmCommand, IpvsadmError } from './command.js';
import { ipvsStrerror, KERNEL_ERROR_STATUS, type KernelOp } from './kernel-errors.js';
import { parseIpvsadmArgs, type ParseOptions } from './parse.js';
import { restoreWords } from './restore.js';
import { renderUsage } from './usage.js';
import type { ServiceLookup } from './values.js';

export interface RunIpvsadmOptions {
  /** argv[0]: the name in "Try `ipvsadm -h' …" and in the usage text. */
  readonly program?: string;
  /** When given, the table's timers and rate estimator are brought up to this time first. */
  readonly now?: () => number;
  /** What `-R` reads (ipvsadm's stdin); none means empty input. */
  readonly stdin?: string;
  /** Port names for `host:name` (getservbyname); without it only numbers are ports. */
  readonly lookupService?: ServiceLookup;
}

export interface IpvsadmResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** A command's status; `exit` when ipvsadm calls exit() there, which also ends a `-R` run. */
interface Outcome {
  readonly status: number;
  readonly exit: boolean;
}

interface Run {
  readonly backend: IpvsadmBackend;
  readonly program: string;
  readonly parse: ParseOptions;
  readonly stdout: string[];
  readonly stderr: string[];
}

const DONE: Outcome = { status: 0, exit: false };

/** `ipvsadm <argv>` (argv without the program name) against `table`. */
export function runIpvsadm(
  table: IpvsTable,
  argv: readonly string[],
  opts: RunIpvsadmOptions = {},
): IpvsadmResult {
  if (opts.now !== undefined) table.advance(opts.now());
  return runIpvsadmOn(tableBackend(table), argv, opts);
}

/** `ipvsadm <argv>` against any backend (a table with its data plane, or the kernel). */
export function runIpvsadmOn(
  backend: IpvsadmBackend,
  argv: readonly string[],
  opts: Omit<RunIpvsadmOptions, 'now'> = {},
): IpvsadmResult {
  const program = opts.program ?? 'ipvsadm';
  const parse: ParseOptions = {
    program,
    ...(opts.lookupService === undefined ? {} : { lookupService: opts.lookupService }),
  };
  const run: Run = { backend, program, parse, stdout: [], stderr: [] };
  const parsed = parseIpvsadmArgs(argv, parse);
  const outcome = parsed.ok
    ? execute(run, parsed.command, opts.stdin ?? '')
    : failed(run, parsed.error, true);
  return {
    stdout: run.stdout.join(''),
    stderr: run.stderr.join(''),
    exitCode: outcome.status,
  };
}

function failed(run: Run, error: IpvsadmError, exit: boolean): Outcome {
  run.stderr.push(`${error.message}\n`);
  return { status: error.exitCode, exit };
}

function refused(run: Run, op: KernelOp | undefined, r: Refusal, exit: boolean): Outcome {
  const message = ipvsStrerror(op, r.errno, r.strerror);
  return failed(run, { message, exitCode: KERNEL_ERROR_STATUS }, exit);
}

/** One libipvs call: the change, or the kernel's refusal as ipvsadm words it. */
function change(run: Run, cmd: ChangeCommand): Outcome {
  const r = run.backend.change(cmd);
  return r === undefined ? DONE : refused(run, kernelOpOf(cmd), r, false);
}

function execute(run: Run, cmd: IpvsadmCommand, stdin: string): Outcome {
  switch (cmd.command) {
    case 'help':
      run.stdout.push(renderUsage(run.program));
      return { status: 0, exit: true };
    case 'version':
      run.stdout.push(renderVersion());
      return { status: 0, exit: true };
    case 'list':
      return list(run, cmd);
    case 'save': {
      const snap = run.backend.snapshot();
      if (isRefusal(snap)) return refused(run, undefined, snap, true);
      run.stdout.push(renderSave(snap));
      return DONE;
    }
    case 'restore':
      return restore(run, stdin);
    case 'add-service':
    case 'edit-service':
    case 'delete-service':
    case 'add-server':
    case 'edit-server':
    case 'delete-server':
    case 'clear':
    case 'zero':
    case 'set-timeout':
    case 'start-daemon':
    case 'stop-daemon':
      return change(run, cmd);
  }
}

function list(run: Run, cmd: Extract<IpvsadmCommand, { command: 'list' }>): Outcome {
  const { backend } = run;
  switch (cmd.view) {
    case 'connections':
      run.stdout.push(
        renderConnections(backend.connections(), {
          persistentConn: cmd.options.persistentConn === true,
        }),
      );
      return DONE;
    case 'timeout': {
      const t = backend.timeouts();
      if (isRefusal(t)) return refused(run, undefined, t, true);
      run.stdout.push(renderTimeouts(t));
      return DONE;
    }
    case 'daemon':
      run.stdout.push(renderDaemons(backend.daemons()));
      return DONE;
    case 'service':
    case 'services':
      break;
  }
  const snap = backend.snapshot();
  if (isRefusal(snap)) return refused(run, undefined, snap, true);
  if (cmd.view === 'service' && cmd.service !== undefined) {
    const listing = renderServiceListing(snap, cmd.service, cmd.options);
    // list_service: ipvs_strerror(ESRCH) after ipvs_get_service, then exit(1).
    if (!listing.ok) return failed(run, { message: listing.error, exitCode: 1 }, true);
    run.stdout.push(listing.text);
    return DONE;
  }
  run.stdout.push(renderList(snap, cmd.options));
  return DONE;
}

/**
 * A parse error that ends `-R`: ipvsadm's fail() and tryhelp_exit() call exit(); popt's
 * errors and the kernel's refusals (an unknown scheduler among them) only make
 * process_options return -1, and the next line runs.
 */
function endsRestore(error: IpvsadmError): boolean {
  return error.exitCode !== KERNEL_ERROR_STATUS || error.message.startsWith('Try `');
}

function restore(run: Run, text: string): Outcome {
  let status = 0;
  for (const words of restoreWords(text)) {
    if (words.length === 0) continue;
    const parsed = parseIpvsadmArgs(words, { ...run.parse, restoring: true });
    const outcome = parsed.ok
      ? execute(run, parsed.command, '')
      : failed(run, parsed.error, endsRestore(parsed.error));
    if (outcome.exit) return outcome;
    status = outcome.status;
  }
  return { status, exit: false };
}
