// `ipvsadm <argv>` carried out on tandem's virtual server table, with ipvsadm 1.31's output,
// error texts and exit statuses (shared/reference/ipvs.md §6; process_options in ipvsadm.c).
// Parse errors are ipvsadm's own `fail()` (status 2) or popt's (255); a refusal by the table
// is the kernel's errno worded by ipvs_strerror (kernel-errors.ts, status 255); listing one
// missing service exits 1. `-R` reads `opts.stdin` line by line as ipvsadm reads stdin: a
// kernel refusal is printed and the next line runs, a parse error ends the run, and the exit
// status is the last line's. tandem has no connection-sync daemon: `--daemon` lists nothing,
// as ipvsadm does on a kernel where none runs.

import type { IpvsTable } from '../table.js';
import {
  renderConnections,
  renderList,
  renderSave,
  renderServiceListing,
  renderTimeouts,
  renderVersion,
} from '../render/index.js';
import type { IpvsadmCommand, IpvsadmError } from './command.js';
import { ipvsStrerror, kernelError, KERNEL_ERROR_STATUS, type KernelOp } from './kernel-errors.js';
import { parseIpvsadmArgs, type ParseOptions } from './parse.js';
import { restoreWords } from './restore.js';
import { tableDestKey, tableDestSpec, tableServiceKey, tableServiceSpec } from './table-specs.js';
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
  readonly table: IpvsTable;
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
  const program = opts.program ?? 'ipvsadm';
  const parse: ParseOptions = {
    program,
    ...(opts.lookupService === undefined ? {} : { lookupService: opts.lookupService }),
  };
  const run: Run = { table, program, parse, stdout: [], stderr: [] };
  if (opts.now !== undefined) table.advance(opts.now());
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

/** One libipvs call: the table change, or the kernel's refusal as ipvsadm words it. */
function kernel(run: Run, op: KernelOp, change: () => void): Outcome {
  try {
    change();
    return DONE;
  } catch (err) {
    return failed(run, kernelError(op, err), false);
  }
}

function execute(run: Run, cmd: IpvsadmCommand, stdin: string): Outcome {
  const { table } = run;
  switch (cmd.command) {
    case 'help':
      run.stdout.push(renderUsage(run.program));
      return { status: 0, exit: true };
    case 'version':
      run.stdout.push(renderVersion());
      return { status: 0, exit: true };
    case 'list':
      return list(run, cmd);
    case 'save':
      run.stdout.push(renderSave(table.snapshot()));
      return DONE;
    case 'restore':
      return restore(run, stdin);
    case 'clear':
      return kernel(run, 'flush', () => table.flush());
    case 'add-service':
      return kernel(run, cmd.command, () => table.addService(tableServiceSpec(cmd)));
    case 'edit-service':
      return kernel(run, cmd.command, () => table.editService(tableServiceSpec(cmd)));
    case 'delete-service':
      return kernel(run, cmd.command, () => table.deleteService(tableServiceKey(cmd.service)));
    case 'add-server':
      return kernel(run, cmd.command, () =>
        table.addDest(tableServiceKey(cmd.service), tableDestSpec(cmd.server)),
      );
    case 'edit-server':
      return kernel(run, cmd.command, () =>
        table.editDest(tableServiceKey(cmd.service), tableDestSpec(cmd.server)),
      );
    case 'delete-server':
      return kernel(run, cmd.command, () =>
        table.deleteDest(tableServiceKey(cmd.service), tableDestKey(cmd.server)),
      );
    case 'zero': {
      const { service } = cmd;
      return kernel(run, 'zero', () =>
        table.zero(service === undefined ? undefined : tableServiceKey(service)),
      );
    }
    case 'set-timeout':
      return kernel(run, 'set-timeout', () =>
        table.setTimeouts({ tcp: cmd.tcp, tcpfin: cmd.tcpfin, udp: cmd.udp }),
      );
    case 'start-daemon':
      // No connection sync in tandem: the kernel call it stands for does not exist (ENOSYS).
      return daemonRefused(run, 'start-daemon', 'ENOSYS');
    case 'stop-daemon':
      return daemonRefused(run, 'stop-daemon', 'ESRCH');
  }
}

function daemonRefused(run: Run, op: KernelOp, errno: 'ENOSYS' | 'ESRCH'): Outcome {
  const error = { message: ipvsStrerror(op, errno), exitCode: KERNEL_ERROR_STATUS };
  return failed(run, error, false);
}

function list(run: Run, cmd: Extract<IpvsadmCommand, { command: 'list' }>): Outcome {
  const { table } = run;
  switch (cmd.view) {
    case 'connections':
      run.stdout.push(
        renderConnections(table.connections(), {
          persistentConn: cmd.options.persistentConn === true,
        }),
      );
      return DONE;
    case 'timeout':
      run.stdout.push(renderTimeouts(table.timeouts()));
      return DONE;
    case 'daemon':
      return DONE;
    case 'service': {
      if (cmd.service === undefined) break;
      const listing = renderServiceListing(table.snapshot(), cmd.service, cmd.options);
      // list_service: ipvs_strerror(ESRCH) after ipvs_get_service, then exit(1).
      if (!listing.ok) return failed(run, { message: listing.error, exitCode: 1 }, true);
      run.stdout.push(listing.text);
      return DONE;
    }
    case 'services':
      break;
  }
  run.stdout.push(renderList(table.snapshot(), cmd.options));
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
