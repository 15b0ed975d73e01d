// `npm start` the way a new user runs it: in a fresh `git clone` of this repository, without root
// (as `nobody` when the test runs as root) and as root. The test waits for the demo's first
// screen, replays every command of the printed tour in a shell as that user, checks each
// step's outcome, presses Ctrl-C (SIGINT to the process group, as a terminal does) and checks
// that nothing is left: no process naming the clone or the run directory, no socket on the
// demo's addresses, the run directory gone, and the machine's addresses, network namespaces and
// nftables tables as they were.
//
// The clone reuses this checkout's node_modules through a symlink instead of running `npm ci`:
// the same pinned packages, without a registry download in the test. Uncommitted changes of the
// checkout are copied over the clone (CI checks out a clean commit, so there it is the commit
// alone); a diagnostic says when that happened.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { TOUR_END } from '../../src/daemon/demo-tour.js';
import {
  boundSockets,
  processesMatching,
  systemSnapshot,
  type SystemSnapshot,
} from '../helpers/leftovers.js';
import { REPO } from '../helpers/paths.js';
import { requireRoot, requireTool } from '../helpers/tools.js';

const NOBODY = { uid: 65534, gid: 65534 };
const DEMO_ADDRESSES = new Set(
  ['11', '12', '25', '100', '101', '102', '103'].map((h) => `127.0.0.${h}`),
);

interface User {
  readonly name: string;
  readonly ids?: { readonly uid: number; readonly gid: number };
  readonly home: string;
  /** The demo's default run directory for this user (no XDG_RUNTIME_DIR in a clean env). */
  readonly runDir: string;
}

function git(args: readonly string[], cwd = REPO): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' });
}

/** git clone of this checkout, plus its uncommitted changes; node_modules symlinked. */
function cloneRepo(t: TestContext, base: string): string {
  const clone = join(base, 'tandem');
  git(['clone', '--quiet', REPO, clone], base);
  const changed = git(['ls-files', '-z', '--modified', '--others', '--exclude-standard'])
    .split('\0')
    .filter((p) => p !== '');
  for (const path of changed) {
    const from = join(REPO, path);
    const to = join(clone, path);
    if (existsSync(from)) {
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(from, to);
    } else {
      rmSync(to, { force: true });
    }
  }
  if (changed.length > 0) {
    t.diagnostic(`${changed.length} uncommitted file(s) copied over the clone of HEAD`);
  }
  symlinkSync(join(REPO, 'node_modules'), join(clone, 'node_modules'));
  return clone;
}

function envOf(user: User): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: user.home,
    LANG: 'C.UTF-8',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
}

/** stdout and stderr of `npm start`, and waits on it. */
class Output {
  text = '';
  readonly #waiters = new Set<() => void>();

  constructor(proc: ChildProcess) {
    const add = (chunk: Buffer): void => {
      this.text += chunk.toString('utf8');
      for (const w of [...this.#waiters]) w();
    };
    proc.stdout?.on('data', add);
    proc.stderr?.on('data', add);
  }

  async waitFor(re: RegExp, timeoutMs: number, from = 0): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!re.test(this.text.slice(from))) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${re} in npm start's output:\n${this.text.slice(-6000)}`);
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.#waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#waiters.add(wake);
      });
    }
  }
}

/** Runs one tour command in a shell as the user, from the clone; resolves to its stdout. */
function shell(user: User, clone: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn('sh', ['-c', command], {
      cwd: clone,
      env: envOf(user),
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(user.ids ?? {}),
    });
    let out = '';
    let err = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
    proc.once('error', reject);
    proc.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`'${command}' exited ${code}: ${out}${err}`)),
    );
  });
}

/** The tour as printed: numbered steps, each with its `$ ` command lines. */
function parseTour(text: string): string[][] {
  const steps: string[][] = [];
  for (const line of text.split('\n')) {
    if (/^ \d\. /.test(line)) steps.push([]);
    const cmd = /^ {4}\$ (.*)$/.exec(line);
    if (cmd?.[1] !== undefined) steps.at(-1)?.push(cmd[1]);
  }
  return steps;
}

function answers(out: string): Map<number, number> {
  const hits = new Map<number, number>();
  for (const line of out.trim().split('\n')) {
    const m =
      /^Hello from real server (\d) \(127\.0\.0\.10\d:8080\); request from 127(\.\d+){3}$/.exec(
        line,
      );
    assert.ok(m !== null, `an answer from a real server, not ${JSON.stringify(line)}`);
    hits.set(Number(m[1]), (hits.get(Number(m[1])) ?? 0) + 1);
  }
  return hits;
}

async function tour(t: TestContext, user: User, clone: string): Promise<void> {
  const before: SystemSnapshot = systemSnapshot(/^tdemo-/);
  const npm = spawn('npm', ['start'], {
    cwd: clone,
    env: envOf(user),
    detached: true, // its own process group: SIGINT to the group is a terminal's Ctrl-C
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(user.ids ?? {}),
  });
  const exited = new Promise<number | null>((resolve) => npm.once('exit', (c) => resolve(c)));
  const interrupt = (): void => {
    try {
      process.kill(-(npm.pid ?? 0), 'SIGINT');
    } catch {
      // already gone
    }
  };
  t.after(async () => {
    interrupt();
    await Promise.race([exited, sleep(20_000)]);
  });
  const out = new Output(npm);
  await out.waitFor(new RegExp(TOUR_END.replace(/[.]/g, '\\.')), 120_000);
  const steps = parseTour(out.text);
  assert.deepEqual(
    steps.map((s) => s.length),
    [1, 1, 3, 2, 2],
    out.text,
  );
  const [[loop6], [list], [rsStop, loop4, rsStart], [dStop, loop2a], [dStart, loop2b]] = steps as [
    [string],
    [string],
    [string, string, string],
    [string, string],
    [string, string],
  ];
  const mark = (): number => out.text.length;

  // 1. Round robin: two answers from each real server.
  assert.deepEqual(
    answers(await shell(user, clone, loop6)),
    new Map([
      [1, 2],
      [2, 2],
      [3, 2],
    ]),
  );

  // 2. tandemadm -L -n: three real servers, weight 1, the six connections as inactive.
  const listing = await shell(user, clone, list);
  for (const h of [101, 102, 103]) {
    assert.match(
      listing,
      new RegExp(`-> 127\\.0\\.0\\.${h}:8080\\s+Masq\\s+1\\s+0\\s+2\\s`),
      listing,
    );
  }

  // 3. Real server 2 stops: both directors remove it and try to mail; traffic avoids it.
  let from = mark();
  assert.match(await shell(user, clone, rsStop), /real server 2 \(127\.0\.0\.102:8080\) stopped/);
  const removing =
    /Removing service \[127\.0\.0\.102\]:tcp:8080 from VS \[127\.0\.0\.100\]:tcp:8080/;
  await out.waitFor(new RegExp(`a \\| ${removing.source}`), 15_000, from);
  await out.waitFor(new RegExp(`b \\| ${removing.source}`), 15_000, from);
  await out.waitFor(/a \| error: SMTP connection ERROR to \[127\.0\.0\.25\]:2525\./, 10_000, from);
  assert.deepEqual(
    answers(await shell(user, clone, loop4)),
    new Map([
      [1, 2],
      [3, 2],
    ]),
  );
  from = mark();
  await shell(user, clone, rsStart);
  await out.waitFor(/a \| Adding service \[127\.0\.0\.102\]:tcp:8080/, 15_000, from);
  await out.waitFor(/b \| Adding service \[127\.0\.0\.102\]:tcp:8080/, 15_000, from);

  // 4. Failover: director a stops, b becomes MASTER and the VIP answers.
  from = mark();
  assert.match(await shell(user, clone, dStop), /director a stopped \(it was MASTER\)/);
  await out.waitFor(/b \| \(VI_1\) Entering MASTER STATE/, 10_000, from);
  await out.waitFor(/b \| listening on 127\.0\.0\.100:8080/, 10_000, from);
  assert.equal(
    [...answers(await shell(user, clone, loop2a)).values()].reduce((a, b) => a + b),
    2,
  );

  // 5. Fail back: a starts, preempts; b returns to BACKUP; the VIP answers.
  from = mark();
  assert.match(await shell(user, clone, dStart), /director a started/);
  await out.waitFor(/b \| \(VI_1\) Entering BACKUP STATE/, 15_000, from);
  await out.waitFor(/a \| listening on 127\.0\.0\.100:8080/, 15_000, from);
  assert.equal(
    [...answers(await shell(user, clone, loop2b)).values()].reduce((a, b) => a + b),
    2,
  );

  // Ctrl-C, then nothing may be left.
  interrupt();
  await Promise.race([exited, sleep(30_000)]);
  await out.waitFor(/demo: stopped; nothing it started is left\n/, 1000);
  let left: string[] = [];
  for (let i = 0; i < 100; i++) {
    left = [...processesMatching(clone), ...processesMatching(user.runDir)];
    if (left.length === 0) break;
    await sleep(100);
  }
  assert.deepEqual(left, [], 'no process of the demo is left');
  assert.deepEqual(boundSockets(DEMO_ADDRESSES), [], 'no socket on the demo addresses');
  assert.equal(existsSync(user.runDir), false, `${user.runDir} is removed`);
  assert.deepEqual(
    systemSnapshot(/^tdemo-/),
    before,
    'addresses, namespaces and nft tables unchanged',
  );
}

test(
  'npm start in a clean clone: the tour works and Ctrl-C leaves nothing behind',
  {
    timeout: 600_000,
  },
  async (t) => {
    for (const tool of ['git', 'npm', 'curl']) if (!requireTool(t, tool)) return;
    const base = mkdtempSync(join(tmpdir(), 'tandem-npm-start-'));
    chmodSync(base, 0o755);
    t.after(() => rmSync(base, { recursive: true, force: true }));
    const clone = cloneRepo(t, base);
    const root = process.getuid?.() === 0;
    const homeOf = (name: string): string => {
      const home = join(base, `home-${name}`);
      mkdirSync(home);
      return home;
    };

    // Without root first: as nobody when this runs as root (the clone is theirs), else as this user.
    const plain: User = root
      ? { name: 'nobody', ids: NOBODY, home: homeOf('nobody'), runDir: '/tmp/tandem-demo-65534' }
      : {
          name: 'this user',
          home: homeOf('user'),
          runDir: `/tmp/tandem-demo-${process.getuid?.() ?? 'user'}`,
        };
    if (root) execFileSync('chown', ['-R', '--no-dereference', '65534:65534', clone, plain.home]);
    await t.test(`npm start without root (${plain.name})`, (tt) => tour(tt, plain, clone));
    await t.test('npm start as root', async (tt) => {
      if (!requireRoot(tt, 'the root half of the new-user test')) return;
      await tour(tt, { name: 'root', home: homeOf('root'), runDir: '/run/tandem-demo' }, clone);
    });
  },
);
