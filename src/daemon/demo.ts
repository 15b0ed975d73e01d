// `tandem demo` (what `npm start` runs): a live two-director cluster on this machine in one
// command. The demo process writes the configuration (demo-config.ts), serves three real servers
// itself (demo-servers.ts), starts the two directors as real tandem daemons (demo-director.ts),
// prints what runs and a tour (demo-tour.ts), and answers `tandem demo rs|director …` from other
// terminals on its own socket (demo-control.ts) until Ctrl-C, when it stops the directors
// cleanly, closes the servers and removes every file it made. `--smoke` runs the tour itself.

import { execFile } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import type { Server } from 'node:net';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_USAGE, parseDemoArgs } from './demo-args.js';
import { renderDemoConfig } from './demo-config.js';
import {
  demoRunning,
  listenDemoControl,
  sendDemoCommand,
  type DemoAnswer,
  type DemoCommand,
} from './demo-control.js';
import { DemoDirectorProcess } from './demo-director.js';
import {
  buildNetwork,
  deleteNamespaces,
  existingNamespaces,
  prepareRealServers,
} from './demo-netns.js';
import { defaultRunDir, demoNetnsPlan, demoPlan, type DemoPlan } from './demo-plan.js';
import { DemoRealServers, NetnsRealServers, type RealServerPool } from './demo-servers.js';
import { runSmoke, vipReady } from './demo-smoke.js';
import { tourText, type TourCommands } from './demo-tour.js';

export interface DemoIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
}

const TANDEM = fileURLToPath(new URL('./main.js', import.meta.url));

/** How long a director may take to win (or lose) its first election and open the VIP. */
const START_TIMEOUT_MS = 15_000;

/** How the user's shell runs tandem: through npx under `npm start`, else as this was run. */
function tourCommands(runDir: string | undefined): TourCommands {
  const runDirFlag = runDir === undefined ? '' : `--run-dir ${runDir}`;
  if (process.env.npm_lifecycle_event !== undefined) {
    return { tandem: 'npx tandem', tandemadm: 'npx tandemadm', where: process.cwd(), runDirFlag };
  }
  if (basename(process.argv[1] ?? '') === 'tandem') {
    return { tandem: 'tandem', tandemadm: 'tandemadm', runDirFlag };
  }
  const cli = fileURLToPath(new URL('../cli/main.js', import.meta.url));
  return {
    tandem: `node ${process.argv[1] ?? 'tandem'}`,
    tandemadm: `node ${cli}`,
    runDirFlag,
  };
}

/** The files the demo makes in its run directory (removed at the end, nothing else is). */
function runFiles(plan: DemoPlan): string[] {
  return [
    plan.configFile,
    plan.demoSocket,
    ...plan.directors.map((d) => d.control),
    // `tandem realserver start --state` files of the netns form.
    ...plan.realServers.map((r) => join(plan.runDir, `rs${r.n}-realserver.json`)),
  ];
}

/** One GET of the VIP as the tour's curl makes it (from the client namespace in the netns form). */
function vipGetter(plan: DemoPlan): () => Promise<string> {
  const url = `http://${plan.vip}:${plan.port}/`;
  const client = plan.netns?.client.ns;
  if (client !== undefined) {
    return () =>
      new Promise((resolve) =>
        execFile(
          'ip',
          ['netns', 'exec', client, 'curl', '-s', '--max-time', '2', url],
          (err, stdout) => resolve(err === null ? stdout : `curl failed: ${err.message}`),
        ),
      );
  }
  return () =>
    new Promise((resolve) => {
      const req = get(url, { agent: false, timeout: 2000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve(body));
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (err) => resolve(`request failed: ${err.message}`));
    });
}

/** Creates the run directory (0700, ours); an error message when it cannot be used. */
function prepareRunDir(plan: DemoPlan): string | undefined {
  try {
    mkdirSync(plan.runDir, { recursive: true, mode: 0o700 });
    const st = lstatSync(plan.runDir);
    if (!st.isDirectory() || st.uid !== process.getuid?.()) {
      return `${plan.runDir} is not a directory of this user`;
    }
  } catch (err) {
    return `cannot create ${plan.runDir}: ${err instanceof Error ? err.message : String(err)}`;
  }
  for (const f of runFiles(plan)) rmSync(f, { force: true });
  return undefined;
}

function cleanRunDir(plan: DemoPlan): void {
  for (const f of runFiles(plan)) rmSync(f, { force: true });
  try {
    rmdirSync(plan.runDir);
  } catch {
    // not empty (the user keeps files there) or already gone: leave it
  }
}

async function sendCommand(command: DemoCommand, runDir: string, io: DemoIo): Promise<number> {
  const socket = join(runDir, 'demo.sock');
  try {
    const a = await sendDemoCommand(socket, command);
    (a.ok ? io.stdout : io.stderr)(`${a.text}\n`);
    return a.ok ? 0 : 1;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    io.stderr(`tandem demo: no demo answers at ${socket} (${why}); is 'tandem demo' running?\n`);
    return 1;
  }
}

export async function runDemo(argv: readonly string[], io: DemoIo): Promise<number> {
  const parsed = parseDemoArgs(argv);
  if (!parsed.ok) {
    io.stderr(`tandem demo: ${parsed.message}\nTry 'tandem demo --help' for more information.\n`);
    return 2;
  }
  const args = parsed.args;
  if (args.mode === 'help') {
    io.stdout(DEMO_USAGE);
    return 0;
  }
  if (args.mode === 'command') return sendCommand(args.command, args.runDir ?? defaultRunDir(), io);
  if (args.netns && process.getuid?.() !== 0) {
    io.stderr('tandem demo --netns: needs root (network namespaces, VRRP, nftables)\n');
    return 2;
  }
  const runDir = args.runDir ?? defaultRunDir();
  const plan = args.netns ? demoNetnsPlan(runDir, args.dataplane) : demoPlan(args.prefix, runDir);
  return new Demo(plan, io, tourCommands(args.runDir)).run(args.smoke);
}

class Demo {
  readonly #plan: DemoPlan;
  readonly #io: DemoIo;
  readonly #commands: TourCommands;
  readonly #servers: RealServerPool;
  readonly #directors = new Map<string, DemoDirectorProcess>();
  #control: Server | undefined;
  #stopping = false;
  /** The tour is printed: a signal now means an orderly shutdown, not an aborted start. */
  #started = false;
  #interrupted = false;

  constructor(plan: DemoPlan, io: DemoIo, commands: TourCommands) {
    this.#plan = plan;
    this.#io = io;
    this.#commands = commands;
    this.#servers =
      plan.form === 'netns'
        ? new NetnsRealServers(plan.realServers)
        : new DemoRealServers(plan.realServers);
    for (const spec of plan.directors) {
      this.#directors.set(
        spec.id,
        new DemoDirectorProcess(plan, spec, {
          print: (line) => this.#print(line),
          exited: (code, signal, expected) => this.#exited(spec.id, code, signal, expected),
        }),
      );
    }
  }

  #print(line: string): void {
    this.#io.stdout(`${line}\n`);
  }

  #exited(id: string, code: number | null, signal: string | null, expected: boolean): void {
    if (this.#stopping) return;
    const how = signal === null ? `exit status ${code ?? '?'}` : `signal ${signal}`;
    const again = `${this.#commands.tandem} demo${this.#commands.runDirFlag === '' ? '' : ` ${this.#commands.runDirFlag}`} director start ${id}`;
    this.#print(
      expected
        ? `demo: director ${id} stopped (${how})`
        : `demo: director ${id} exited (${how}); '${again}' starts it again`,
    );
  }

  async run(smoke: boolean): Promise<number> {
    const plan = this.#plan;
    if (await demoRunning(plan.demoSocket)) {
      this.#io.stderr(
        `tandem demo: a demo is already running (${plan.demoSocket}); stop it with Ctrl-C, or use --prefix and --run-dir for a second one\n`,
      );
      return 1;
    }
    const bad = prepareRunDir(plan);
    if (bad !== undefined) {
      this.#io.stderr(`tandem demo: ${bad}\n`);
      return 1;
    }
    // Whatever happens from here on, no director outlives the demo.
    const killAll = (): void => {
      for (const d of this.#directors.values()) d.killNow();
    };
    process.on('exit', killAll);
    const signal = this.#onSignal();
    try {
      writeFileSync(plan.configFile, renderDemoConfig(plan));
      const started = this.#network() ?? (await this.#start());
      if (started !== undefined || signal.received()) {
        if (started !== undefined && !signal.received())
          this.#io.stderr(`tandem demo: ${started}\n`);
        await this.#shutdown();
        return signal.received() ? 0 : 1;
      }
      this.#io.stdout(this.#tour());
      if (smoke) {
        const ok = await runSmoke({
          plan,
          directors: this.#directors,
          command: (c) => this.#handle(c),
          print: (line) => this.#print(line),
          get: vipGetter(plan),
        });
        await this.#shutdown();
        return ok ? 0 : 1;
      }
      await signal.promise;
      await this.#shutdown();
      return 0;
    } finally {
      signal.dispose();
      process.off('exit', killAll);
    }
  }

  /**
   * Ctrl-C or SIGTERM, from the start: while the directors are still starting it stops them at
   * once (their awaited lines then never come, and the start gives up); afterwards the demo's
   * main loop shuts down in order. A second Ctrl-C kills everything.
   */
  #onSignal(): { promise: Promise<void>; received: () => boolean; dispose: () => void } {
    let received = false;
    let on: () => void = () => undefined;
    const force = (): void => {
      for (const d of this.#directors.values()) d.killNow();
      process.exit(1);
    };
    const promise = new Promise<void>((resolve) => {
      on = (): void => {
        if (received) return;
        received = true;
        this.#interrupted = true;
        process.once('SIGINT', force);
        if (!this.#started) for (const d of this.#directors.values()) void d.stop();
        resolve();
      };
      process.on('SIGINT', on);
      process.on('SIGTERM', on);
    });
    return {
      promise,
      received: () => received,
      dispose: () => {
        process.off('SIGINT', on);
        process.off('SIGTERM', on);
        process.off('SIGINT', force);
      },
    };
  }

  /** The netns form's LAN and real-server setup; an error message, or undefined. */
  #network(): string | undefined {
    const plan = this.#plan;
    if (plan.netns === undefined) return undefined;
    const stale = existingNamespaces(plan);
    if (stale.length > 0) {
      this.#print(`demo: removing namespaces a previous demo left: ${stale.join(' ')}`);
      deleteNamespaces(plan);
    }
    try {
      buildNetwork(plan);
    } catch (err) {
      return `cannot build the namespaces: ${err instanceof Error ? err.message : String(err)}`;
    }
    this.#print(`demo: namespaces ${plan.netns.all.join(' ')} on ${plan.prefix}.0/24`);
    return prepareRealServers(plan, TANDEM);
  }

  #wasInterrupted(): boolean {
    return this.#interrupted;
  }

  /** Real servers, director a (MASTER), director b (BACKUP), the control socket. */
  async #start(): Promise<string | undefined> {
    const plan = this.#plan;
    for (const rs of plan.realServers) {
      try {
        await this.#servers.start(rs.n);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        return `cannot start real server ${rs.n} on ${rs.address}:${rs.port}: ${why} (another demo on this prefix? try --prefix 127.0.1)`;
      }
    }
    const a = this.#directors.get('a');
    const b = this.#directors.get('b');
    if (a === undefined || b === undefined) return 'the demo has two directors';
    try {
      if (this.#wasInterrupted()) return 'interrupted';
      a.start();
      await a.waitFor((r) => r.msg.includes('Entering MASTER STATE'), START_TIMEOUT_MS);
      await a.waitFor(vipReady(plan), START_TIMEOUT_MS);
      if (this.#wasInterrupted()) return 'interrupted';
      b.start();
      await b.waitFor((r) => r.msg.includes('Entering BACKUP STATE'), START_TIMEOUT_MS);
    } catch (err) {
      return `the directors did not start: ${err instanceof Error ? err.message : String(err)} (see their log above)`;
    }
    try {
      this.#control = await listenDemoControl(plan.demoSocket, (c) => this.#handle(c));
    } catch (err) {
      return `cannot listen on ${plan.demoSocket}: ${err instanceof Error ? err.message : String(err)}`;
    }
    this.#started = true;
    return undefined;
  }

  #tour(): string {
    const pids: Record<string, number | undefined> = {};
    const states: Record<string, string> = {};
    for (const [id, d] of this.#directors) {
      pids[id] = d.pid;
      states[id] = d.state;
    }
    return tourText(this.#plan, this.#commands, { pids, states });
  }

  async #handle(c: DemoCommand): Promise<DemoAnswer> {
    if (this.#stopping) return { ok: false, text: 'the demo is stopping' };
    if (c.kind === 'rs') {
      const rs = this.#servers.spec(c.n);
      if (rs === undefined) return { ok: false, text: `there is no real server ${c.n}` };
      const name = `real server ${rs.n} (${rs.address}:${rs.port})`;
      if (c.action === 'stop') {
        if (!this.#servers.running(rs.n)) return { ok: false, text: `${name} is not running` };
        await this.#servers.stop(rs.n);
        this.#print(`demo: ${name} stopped`);
        return {
          ok: true,
          text: `${name} stopped; the directors' HTTP_GET checks remove it within about 3 s`,
        };
      }
      if (this.#servers.running(rs.n)) return { ok: false, text: `${name} is already running` };
      await this.#servers.start(rs.n);
      this.#print(`demo: ${name} started`);
      return { ok: true, text: `${name} started; it returns at its next check (within 2 s)` };
    }
    const d = this.#directors.get(c.id);
    if (d === undefined) return { ok: false, text: `there is no director ${c.id} (a or b)` };
    if (c.action === 'stop') {
      if (!d.running) return { ok: false, text: `director ${c.id} is not running` };
      const was = d.state;
      this.#print(`demo: stopping director ${c.id} (${was})`);
      await d.stop();
      return { ok: true, text: `director ${c.id} stopped (it was ${was})` };
    }
    if (d.running) return { ok: false, text: `director ${c.id} is already running (pid ${d.pid})` };
    const pid = d.start();
    this.#print(`demo: director ${c.id} started (pid ${pid})`);
    return { ok: true, text: `director ${c.id} started (pid ${pid})` };
  }

  async #shutdown(): Promise<void> {
    this.#stopping = true;
    this.#print('demo: stopping the directors and the real servers');
    const control = this.#control;
    this.#control = undefined;
    const closed =
      control === undefined
        ? Promise.resolve()
        : new Promise<void>((resolve) => control.close(() => resolve()));
    await Promise.all([...this.#directors.values()].map((d) => d.stop()));
    await this.#servers.stopAll();
    await closed;
    for (const err of deleteNamespaces(this.#plan)) this.#print(`demo: ${err}`);
    cleanRunDir(this.#plan);
    const left = existsSync(this.#plan.runDir) ? ` (${this.#plan.runDir} kept: not empty)` : '';
    this.#print(`demo: stopped; nothing it started is left${left}`);
  }
}
