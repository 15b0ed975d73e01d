// `npm start`: the main job on an embedded default — a two-director HA cluster on this machine.
// Two demo real servers (Node HTTP on 127.0.0.2:8081 and 127.0.0.3:8082) and two tandem
// directors (examples/quickstart.conf with --config-id a / b) that elect a VRRP master for the
// VIP 127.0.0.10:8080. Ctrl-C stops everything. With DEMO_SMOKE=1 it runs a failover drill and
// exits (used by the tests): requests through the VIP, director a stopped, requests again (now
// answered through b), and prints where each went.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const smoke = process.env.DEMO_SMOKE === '1';
// Each director gets its own control socket (tandemadm --control …) and, outside the smoke
// test, its own status page: a on 127.0.0.1:9716, b on 127.0.0.1:9717.
const run = mkdtempSync(join(tmpdir(), 'tandem-demo-'));
process.on('exit', () => rmSync(run, { recursive: true, force: true }));
const ADMIN = { a: '127.0.0.1:9716', b: '127.0.0.1:9717' };
const servers = [
  ['127.0.0.2', 8081],
  ['127.0.0.3', 8082],
].map(([address, port]) =>
  createServer((req, res) => res.end(`hello from real server ${address}:${port}\n`))
    .on('error', (err) => {
      console.error(`demo: cannot start the real server ${address}:${port}: ${err.message}`);
      process.exit(1);
    })
    .listen(port, address),
);

const directors = new Map();
function director(id) {
  const child = spawn(
    process.execPath,
    [
      `${repo}build/src/daemon/main.js`,
      '-n',
      '-l',
      '-f',
      `${repo}examples/quickstart.conf`,
      '--config-id',
      id,
      '--dataplane',
      'proxy',
      '--control',
      join(run, `${id}.sock`),
      '--admin',
      smoke ? 'off' : ADMIN[id],
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const d = { id, child, lines: [], waiters: new Set() };
  let buf = '';
  child.stdout.on('data', (chunk) => {
    buf += chunk.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      d.lines.push(line);
      process.stdout.write(`[director ${id}] ${line}\n`);
      for (const w of [...d.waiters]) w(line);
    }
  });
  child.once('exit', (code) => {
    d.exited = true;
    if (!stopping && !d.expectedExit) {
      console.error(`demo: director ${id} exited (code ${code}); see its log above`);
      stop(1);
    }
  });
  directors.set(id, d);
  return d;
}

/** Resolves when director d logs a line containing `text`; fails the demo after `ms`. */
function waitLine(d, text, ms) {
  return new Promise((resolve) => {
    if (d.lines.some((l) => l.includes(text))) return resolve();
    const timer = setTimeout(() => {
      console.error(`demo: director ${d.id} did not log ${text} within ${ms / 1000} s`);
      stop(1);
    }, ms);
    const w = (line) => {
      if (!line.includes(text)) return;
      clearTimeout(timer);
      d.waiters.delete(w);
      resolve();
    };
    d.waiters.add(w);
  });
}

let stopping = false;
function stop(code) {
  if (stopping) return;
  stopping = true;
  const live = [...directors.values()].filter((d) => !d.exited);
  for (const d of live) d.child.kill('SIGTERM');
  for (const s of servers) s.close();
  let left = live.length;
  if (left === 0) process.exit(code);
  for (const d of live) d.child.once('exit', () => --left === 0 && process.exit(code));
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

function request() {
  return new Promise((resolve) =>
    get('http://127.0.0.10:8080/', { agent: false, timeout: 2000 }, (res) => {
      let b = '';
      res.on('data', (c) => (b += c));
      res.on('end', () => resolve(b));
    }).on('error', (err) => resolve(`request failed: ${err.message}\n`)),
  );
}

const a = director('a');
await waitLine(a, 'Entering MASTER STATE', 10_000);
await waitLine(a, '"msg":"listening"', 10_000);
const b = director('b');
await waitLine(b, 'Entering BACKUP STATE', 10_000);
if (!smoke) {
  process.stdout.write(
    '\ntandem: director a is MASTER for http://127.0.0.10:8080/, director b is BACKUP.\n' +
      '  try: curl http://127.0.0.10:8080/\n' +
      `  status pages: http://${ADMIN.a}/ (a) and http://${ADMIN.b}/ (b); metrics at /metrics\n` +
      `  tandemadm: npx tandemadm --control ${join(run, 'a.sock')} -L -n\n` +
      `  failover drill: kill ${a.child.pid}   (director a; b takes the VIP, a restart preempts)\n` +
      '  Ctrl-C stops everything.\n\n',
  );
} else {
  for (let i = 0; i < 4; i++) process.stdout.write(`via a: ${await request()}`);
  a.expectedExit = true;
  a.child.kill('SIGTERM');
  await waitLine(b, 'Entering MASTER STATE', 5000);
  await waitLine(b, '"msg":"listening"', 5000);
  for (let i = 0; i < 4; i++) process.stdout.write(`via b: ${await request()}`);
  stop(0);
}
