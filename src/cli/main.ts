#!/usr/bin/env node
// tandemadm: ipvsadm's command line for tandem (ipvsadm(8); shared/reference/ipvs.md §6).
// Arguments are parsed with ipvsadm's rules and wording today; commands are carried out once
// the daemon's control socket exists (issue 7), so until then every command that needs a
// table reports that no daemon is reachable.

import { parseIpvsadmArgs } from '../ipvs/admin/index.js';
import { renderVersion } from '../ipvs/render/index.js';

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
Options and output are those of ipvsadm 1.31; see ipvsadm(8).
`;

function main(argv: readonly string[]): number {
  const parsed = parseIpvsadmArgs(argv, { program: 'tandemadm' });
  if (!parsed.ok) {
    process.stderr.write(
      parsed.error.message.endsWith('\n') ? parsed.error.message : `${parsed.error.message}\n`,
    );
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
  process.stderr.write(
    'tandemadm: cannot reach a tandem daemon: the daemon and its control socket are not implemented yet\n',
  );
  return 2;
}

process.exitCode = main(process.argv.slice(2));
