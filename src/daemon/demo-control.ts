// The running demo's own control socket (RUN_DIR/demo.sock, mode 0600), so the tour's steps are
// commands to paste into another terminal: `tandem demo rs stop 2`, `tandem demo director start
// a`. One request line per connection, one answer line back: `ok: …` or `error: …`.

import { chmodSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';

export type DemoCommand =
  | { readonly kind: 'rs'; readonly action: 'stop' | 'start'; readonly n: number }
  | { readonly kind: 'director'; readonly action: 'stop' | 'start'; readonly id: string };

export interface DemoAnswer {
  readonly ok: boolean;
  readonly text: string;
}

const MAX_LINE = 256;

export function formatCommand(c: DemoCommand): string {
  return c.kind === 'rs' ? `rs ${c.action} ${c.n}` : `director ${c.action} ${c.id}`;
}

/** `rs stop 2`, `director start a`; undefined for anything else. */
export function parseCommand(line: string): DemoCommand | undefined {
  const [kind, action, arg, ...rest] = line.trim().split(/\s+/);
  if (rest.length > 0 || (action !== 'stop' && action !== 'start') || arg === undefined) {
    return undefined;
  }
  if (kind === 'rs' && /^[1-9]$/.test(arg)) return { kind, action, n: Number(arg) };
  if (kind === 'director' && /^[a-z]$/.test(arg)) return { kind, action, id: arg };
  return undefined;
}

export function listenDemoControl(
  path: string,
  handle: (c: DemoCommand) => Promise<DemoAnswer>,
): Promise<Server> {
  const server = createServer((sock) => {
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('error', () => undefined);
    sock.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0 && buf.length <= MAX_LINE) return;
      sock.pause();
      const command = nl < 0 ? undefined : parseCommand(buf.slice(0, nl));
      const answer =
        command === undefined
          ? Promise.resolve({ ok: false, text: 'unknown command' })
          : handle(command).catch((err: unknown) => ({
              ok: false,
              text: err instanceof Error ? err.message : String(err),
            }));
      void answer.then((a) => sock.end(`${a.ok ? 'ok' : 'error'}: ${a.text}\n`));
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      chmodSync(path, 0o600);
      resolve(server);
    });
  });
}

/** Sends one command to a running demo; rejects when none is listening at `path`. */
export function sendDemoCommand(
  path: string,
  c: DemoCommand,
  timeoutMs = 30_000,
): Promise<DemoAnswer> {
  return new Promise((resolve, reject) => {
    const sock = connect(path);
    let buf = '';
    sock.setEncoding('utf8');
    sock.setTimeout(timeoutMs, () => sock.destroy(new Error('the demo did not answer')));
    sock.once('error', reject);
    sock.on('data', (chunk: string) => (buf += chunk));
    sock.once('connect', () => sock.write(`${formatCommand(c)}\n`));
    sock.once('end', () => {
      const line = buf.trim();
      const ok = line.startsWith('ok: ');
      resolve({ ok, text: line.replace(/^(ok|error): /, '') });
    });
  });
}

/** True when a demo answers at `path` (its socket accepts a connection). */
export function demoRunning(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(path);
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}
