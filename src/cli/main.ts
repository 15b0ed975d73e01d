#!/usr/bin/env node
// tandemadm: ipvsadm's command line for a running tandem daemon (ipvsadm(8);
// shared/reference/ipvs.md §6). Arguments are checked here with ipvsadm's rules and wording, so
// a typo never needs a daemon; the command itself travels over the control socket
// (docs/control.md) and the daemon carries it out on its table and renders ipvsadm 1.31's
// output, which is printed as it came, with ipvsadm's exit status.
//
// The socket: `--control PATH` (anywhere on the line), else $TANDEM_CONTROL, else the daemon's
// default (/run/tandem/control.sock as root). With no daemon there and no --control, and a
// kernel with IPVS, tandemadm administers the kernel's table itself over generic netlink, as
// ipvsadm does (docs/ipvs-kernel.md), with ipvsadm's output and errors.

//
// tandemadm is run from scripts, often in loops, as ipvsadm is: it loads only the argument
// reader and the control client up front (every ES module costs Node start-up time); the
// kernel path (koffi, netlink, the table backend) is loaded only when there is no daemon.

import { readFileSync } from 'node:fs';
import { ControlError, request } from '../control/client.js';
import { defaultControlPath } from '../control/paths.js';
import { parseIpvsadmArgs } from '../ipvs/admin/parse.js';
import { renderVersion } from '../ipvs/render/status.js';

const HELP = `tandemadm: ipvsadm-compatible administration of a running tandem daemon.
Usage:
  tandemadm -A|E virtual-service [-s scheduler] [-p [timeout]] [-M netmask] [--pe persistence_engine] [-b sched-flags]
  tandemadm -D virtual-service
  tandemadm -C
  tandemadm -R
  tandemadm -S [-n]
  tandemadm -a|e virtual-service -r server-address [options]
  tandemadm -d virtual-service -r server-address
  tandemadm -L|l [virtual-service] [options]
  tandemadm -Z [virtual-service]
  tandemadm --set tcp tcpfin udp
  tandemadm -h
  --control PATH    the daemon's control socket (default ${defaultControlPath()})
Options and output are those of ipvsadm 1.31; see ipvsadm(8). Changes last until the daemon's
next reload, which programs the table from its configuration file again. With no daemon
running, tandemadm changes the kernel's IPVS table directly, as ipvsadm does.
`;

/** Takes `--control PATH` / `--control=PATH` out of argv (ipvsadm has no such option). */
function controlOption(argv: readonly string[]): { argv: string[]; path?: string } {
  const rest: string[] = [];
  let path: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--control') {
      path = argv[++i];
      continue;
    }
    if (a.startsWith('--control=')) {
      path = a.slice('--control='.length);
      continue;
    }
    rest.push(a);
  }
  return path === undefined ? { argv: rest } : { argv: rest, path };
}

interface IpvsadmReply {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

function isReply(v: unknown): v is IpvsadmReply {
  const r = v as Partial<IpvsadmReply> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.stdout === 'string' &&
    typeof r.stderr === 'string' &&
    typeof r.exitCode === 'number'
  );
}

async function main(all: readonly string[]): Promise<number> {
  const { argv, path: given } = controlOption(all);
  const parsed = parseIpvsadmArgs(argv, { program: 'tandemadm' });
  if (!parsed.ok) {
    const m = parsed.error.message;
    process.stderr.write(m.endsWith('\n') ? m : `${m}\n`);
    return parsed.error.exitCode;
  }
  if (parsed.command.command === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (parsed.command.command === 'version') {
    process.stdout.write(renderVersion());
    return 0;
  }
  const path = given ?? process.env.TANDEM_CONTROL ?? defaultControlPath();
  // ipvsadm -R reads the rules from standard input.
  const stdin = parsed.command.command === 'restore' ? readFileSync(0, 'utf8') : undefined;
  try {
    const reply = await request(path, 'ipvsadm', {
      argv,
      program: 'tandemadm',
      ...(stdin === undefined ? {} : { stdin }),
    });
    if (!isReply(reply)) {
      process.stderr.write('tandemadm: the daemon sent an unexpected reply\n');
      return 2;
    }
    process.stdout.write(reply.stdout);
    process.stderr.write(reply.stderr);
    return reply.exitCode;
  } catch (err) {
    const why = err instanceof ControlError ? err.message : String(err);
    if (
      given === undefined &&
      err instanceof ControlError &&
      err.code === 'ERR_CONTROL_UNREACHABLE'
    ) {
      // No daemon: the kernel's own table, when the kernel has one.
      const status = await onKernel(argv, stdin);
      if (status !== undefined) return status;
    }
    process.stderr.write(`tandemadm: cannot reach a tandem daemon: ${why}\n`);
    return 2;
  }
}

/**
 * ipvsadm on the kernel's IPVS table; undefined when the kernel has none. As ipvsadm's
 * ipvs_init, GET_INFO comes first, and its failure (no CAP_NET_ADMIN) ends the run.
 */
async function onKernel(
  argv: readonly string[],
  stdin: string | undefined,
): Promise<number | undefined> {
  const { errnoText, openIpvs } = await import('../sys/ipvs-kernel.js');
  const opened = openIpvs();
  if (!opened.ok) return undefined;
  const kernel = opened.kernel;
  try {
    const [{ kernelBackend }, { ipvsStrerror, runIpvsadmOn }] = await Promise.all([
      import('../dataplane/index.js'),
      import('../ipvs/admin/index.js'),
    ]);
    const info = kernel.info();
    if (!info.ok) {
      const text = ipvsStrerror(undefined, info.code, errnoText(info.code));
      process.stderr.write(
        `Can't initialize ipvs: ${text}\nAre you sure that IP Virtual Server is built in the kernel or as module?\n`,
      );
      return 2;
    }
    const r = runIpvsadmOn(kernelBackend(kernel), argv, {
      program: 'tandemadm',
      ...(stdin === undefined ? {} : { stdin }),
    });
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    return r.exitCode;
  } finally {
    kernel.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`tandemadm: ${String(err)}\n`);
    process.exitCode = 2;
  },
);
