// The demo's first screen: what is running and a short tour of commands to paste into another
// terminal. Every command line starts with "    $ " and every step with " N. ", so the npm start
// test can replay the tour exactly as printed.

import type { DemoPlan } from './demo-plan.js';

export interface TourCommands {
  /** How to run tandem and tandemadm from the user's shell (`npx tandem`, `tandem`, …). */
  readonly tandem: string;
  readonly tandemadm: string;
  /** Where those commands work, when it matters (npx needs the repository directory). */
  readonly where?: string;
  /** `--run-dir DIR` when the demo does not use the default run directory, else ''. */
  readonly runDirFlag: string;
}

export interface TourState {
  readonly pids: Readonly<Record<string, number | undefined>>;
  readonly states: Readonly<Record<string, string>>;
}

/** The line that ends the first screen (tests wait for it). */
export const TOUR_END = 'Ctrl-C stops the demo and removes everything it started.';

export function tourText(plan: DemoPlan, cmd: TourCommands, st: TourState): string {
  const url = `http://${plan.vip}:${plan.port}/`;
  const [a, b] = plan.directors;
  if (a === undefined || b === undefined) throw new Error('the demo has two directors');
  const rs2 = plan.realServers[1] ?? plan.realServers[0];
  const n = plan.realServers.length;
  const loop = (count: number): string => `for i in $(seq ${count}); do curl -s ${url}; done`;
  const demo = `${cmd.tandem} demo`;
  const flag = cmd.runDirFlag === '' ? '' : ` ${cmd.runDirFlag}`;
  const director = (d: typeof a): string =>
    `  director ${d.id}      ${(st.states[d.id] ?? '').padEnd(7)} priority ${d.priority}   pid ${st.pids[d.id] ?? '-'}   status page http://${d.address}:${d.adminPort}/`;
  return [
    '',
    'tandem demo: a two-director high-availability load balancer on this machine, no root needed',
    '',
    `  virtual server  ${url}  round robin over ${n} real servers, HTTP_GET checks every 2 s`,
    director(a),
    director(b),
    `  real servers    ${plan.realServers.map((r) => `${r.n}: ${r.address}:${r.port}`).join('   ')}  (Node HTTP)`,
    `  VRRP            v3 over UDP between ${a.address} and ${b.address}, adverts every 0.1 s;`,
    '                  the MASTER owns the virtual server (vip_mode listener)',
    `  configuration   ${plan.configFile}`,
    `  e-mail alerts   to ${plan.smtp.address}:${plan.smtp.port}, where no SMTP server listens (as in the seed runbook)`,
    '',
    `Tour: paste these into another terminal${cmd.where === undefined ? '' : ` (in ${cmd.where})`}; watch the log below.`,
    '',
    ` 1. Round robin: ${n * 2} requests, two per real server.`,
    `    $ ${loop(n * 2)}`,
    ` 2. The director's table, as ipvsadm -L -n prints it: weights, active and inactive connections.`,
    `    $ ${cmd.tandemadm} --control ${a.control} -L -n`,
    ` 3. A real server fails: stop real server ${rs2?.n ?? 2}. Within about 3 s both directors log`,
    `    "Removing service [${rs2?.address ?? ''}]:tcp:${rs2?.port ?? ''} …" and try to mail the alert;`,
    '    then it gets no requests. Start it again and it returns at its next check.',
    `    $ ${demo}${flag} rs stop ${rs2?.n ?? 2}`,
    `    $ ${loop(4)}`,
    `    $ ${demo}${flag} rs start ${rs2?.n ?? 2}`,
    ` 4. Failover: stop the MASTER (director a). Director b logs "(VI_1) Entering MASTER STATE"`,
    '    within half a second and the virtual server keeps answering.',
    `    $ ${demo}${flag} director stop a`,
    `    $ ${loop(2)}`,
    ` 5. Fail back: start director a again. Its higher priority wins; b logs`,
    '    "(VI_1) Entering BACKUP STATE".',
    `    $ ${demo}${flag} director start a`,
    `    $ ${loop(2)}`,
    '',
    `(Instead of the demo commands: kill ${st.pids.a ?? 'PID'} stops director a; the status pages and`,
    `\`${cmd.tandem} status --control ${a.control}\` show the same state.)`,
    TOUR_END,
    '',
  ].join('\n');
}
