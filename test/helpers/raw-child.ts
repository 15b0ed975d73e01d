// Test-side driver of raw-socket-child.ts: spawns it inside a network namespace, sends requests
// and awaits their replies, and waits (with deadlines) for the packet events it reports. Also the
// two-namespace veth topology the raw-socket tests share.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export interface ChildEvent {
  readonly event?: string;
  readonly seq?: number;
  readonly [k: string]: unknown;
}

export class RawChild {
  readonly #proc: ChildProcess;
  readonly #events: ChildEvent[] = [];
  readonly #waiters = new Set<() => void>();
  #seq = 0;
  #stderr = '';

  constructor(ns: string) {
    const script = fileURLToPath(new URL('./raw-socket-child.js', import.meta.url));
    this.#proc = spawn('ip', ['netns', 'exec', ns, process.execPath, script], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.#proc.stderr?.on('data', (d: Buffer) => (this.#stderr += d.toString()));
    if (this.#proc.stdout !== null) {
      createInterface({ input: this.#proc.stdout }).on('line', (line) => {
        this.#events.push(JSON.parse(line) as ChildEvent);
        for (const w of this.#waiters) w();
      });
    }
  }

  /** Sends a request and resolves with its reply. */
  async request(req: Record<string, unknown>, timeoutMs = 5000): Promise<ChildEvent> {
    const seq = ++this.#seq;
    this.#proc.stdin?.write(`${JSON.stringify({ ...req, seq })}\n`);
    return this.waitFor((e) => e.seq === seq, timeoutMs);
  }

  /** The first event (past or future) matching `match`; rejects after `timeoutMs`. */
  async waitFor(match: (e: ChildEvent) => boolean, timeoutMs = 3000): Promise<ChildEvent> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.#events.find(match);
        if (found === undefined) return false;
        this.#waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`timed out; events ${JSON.stringify(this.#events)} ${this.#stderr}`));
      }, timeoutMs);
      if (!check()) this.#waiters.add(check);
    });
  }

  events(): readonly ChildEvent[] {
    return this.#events;
  }

  /** Ends the child: stdin closed makes it exit; SIGKILL if it lingers. */
  async stop(): Promise<void> {
    if (this.#proc.exitCode !== null || this.#proc.signalCode !== null) return;
    const gone = new Promise<void>((r) => this.#proc.once('exit', () => r()));
    this.#proc.stdin?.end();
    const timer = setTimeout(() => this.#proc.kill('SIGKILL'), 2000);
    await gone;
    clearTimeout(timer);
  }
}

export interface VethPair {
  readonly nsA: string;
  readonly nsB: string;
  readonly ifA: string;
  readonly ifB: string;
  /** Runs `cmd` with sh; { ok, out }. */
  readonly sh: (cmd: string) => { ok: boolean; out: string };
  readonly destroy: () => void;
}

/**
 * Two namespaces joined by a veth: A has 10.77.0.1/24 and fe80::a, B 10.77.0.2/24 and fe80::b
 * (no DAD, no generated link-local, so IPv6 is usable at once). Names carry pid and a random
 * suffix. Returns the failed command's output instead of the pair when setup fails.
 */
export function vethPair(tag: string): VethPair | string {
  const suffix = `${process.pid % 10000}${Math.floor(Math.random() * 100)}`;
  const nsA = `t${tag}A-${suffix}`;
  const nsB = `t${tag}B-${suffix}`;
  const ifA = `${tag}a${suffix}`.slice(0, 15);
  const ifB = `${tag}b${suffix}`.slice(0, 15);
  const sh = (cmd: string): { ok: boolean; out: string } => {
    const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8', timeout: 10_000 });
    return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
  };
  const destroy = (): void =>
    void sh(`ip netns del ${nsA} 2>/dev/null; ip netns del ${nsB} 2>/dev/null`);
  const setup = [
    `ip netns add ${nsA}`,
    `ip netns add ${nsB}`,
    `ip link add ${ifA} netns ${nsA} type veth peer name ${ifB} netns ${nsB}`,
    ...[
      [nsA, ifA, '10.77.0.1', 'fe80::a'],
      [nsB, ifB, '10.77.0.2', 'fe80::b'],
    ].flatMap(([ns, dev, v4, ll]) => [
      `ip -n ${ns} link set dev ${dev} addrgenmode none`,
      `ip netns exec ${ns} sysctl -qw net.ipv6.conf.${dev}.accept_dad=0`,
      `ip -n ${ns} addr add ${v4}/24 dev ${dev}`,
      `ip -n ${ns} addr add ${ll}/64 dev ${dev} nodad`,
      `ip -n ${ns} link set dev ${dev} up`,
      `ip -n ${ns} link set dev lo up`,
    ]),
  ];
  for (const cmd of setup) {
    const r = sh(cmd);
    if (!r.ok) {
      destroy();
      return `${cmd}: ${r.out}`;
    }
  }
  // Until linkwatch activates a device's qdisc (up to a second after `up`), it is noop_qdisc
  // and every transmitted frame is dropped: wait for the real one, bounded.
  const activated = (ns: string, dev: string): boolean =>
    !sh(`ip -n ${ns} link show dev ${dev}`).out.includes('qdisc noop');
  const deadline = Date.now() + 3000;
  while (!(activated(nsA, ifA) && activated(nsB, ifB))) {
    if (Date.now() > deadline) {
      destroy();
      return 'veth qdisc never activated';
    }
    spawnSync('sleep', ['0.05']);
  }
  return { nsA, nsB, ifA, ifB, sh, destroy };
}
