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
  const netns = plan.netns;
  const url = plan.port === 80 ? `http://${plan.vip}/` : `http://${plan.vip}:${plan.port}/`;
  const [a, b] = plan.directors;
  if (a === undefined || b === undefined) throw new Error('the demo has two directors');
  const rs2 = plan.realServers[1] ?? plan.realServers[0];
  const n = plan.realServers.length;
  // In the namespace form requests come from the client's namespace, as from another machine.
  const curl = netns === undefined ? 'curl -s' : `ip netns exec ${netns.client.ns} curl -s`;
  const loop = (count: number): string => `for i in $(seq ${count}); do ${curl} ${url}; done`;
  const demo = `${cmd.tandem} demo`;
  const flag = cmd.runDirFlag === '' ? '' : ` ${cmd.runDirFlag}`;
  const director = (d: typeof a): string =>
    `  director ${d.id}      ${(st.states[d.id] ?? '').padEnd(7)} priority ${d.priority}   pid ${st.pids[d.id] ?? '-'}   ${d.ns === undefined ? 'status page' : `namespace ${d.ns}, status`} http://${d.address}:${d.adminPort}/`;
  const head =
    netns === undefined
      ? [
          'tandem demo: a two-director high-availability load balancer on this machine, no root needed',
          '',
          `  virtual server  ${url}  round robin over ${n} real servers, HTTP_GET checks every 2 s`,
          director(a),
          director(b),
          `  real servers    ${plan.realServers.map((r) => `${r.n}: ${r.address}:${r.port}`).join('   ')}  (Node HTTP)`,
          `  VRRP            v3 over UDP between ${a.address} and ${b.address}, adverts every 0.1 s;`,
          '                  the MASTER owns the virtual server (vip_mode listener)',
        ]
      : [
          `tandem demo --netns: the seed documents' LVS-DR cluster in network namespaces (${plan.prefix}.0/24)`,
          '',
          `  virtual server  ${url}  round robin over ${n} real servers, LVS-DR through the ${plan.dataplane} data plane, TCP_CHECK every 2 s`,
          director(a),
          director(b),
          `  real servers    ${plan.realServers.map((r) => `${r.n}: ${r.address}:${r.port}`).join('   ')}  (namespaces ${plan.realServers.map((r) => r.ns ?? '').join(' ')};`,
          `                  VIP on lo by 'tandem realserver start')`,
          `  client          ${netns.client.address} in namespace ${netns.client.ns}`,
          '  VRRP            v2 with PASS authentication on eth0 (IP protocol 112, 224.0.0.18), adverts every 1 s;',
          '                  the MASTER holds the VIP on eth0 and announces it with gratuitous ARP',
        ];
  return [
    '',
    ...head,
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
    netns === undefined
      ? '    within half a second and the virtual server keeps answering.'
      : `    and "Sending gratuitous ARP on eth0 for ${plan.vip}" within a second; the VIP keeps answering.`,
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
