// `npm start`: the main job on an embedded default. Two demo real servers (Node HTTP on
// 127.0.0.2:8081 and 127.0.0.3:8082) and the tandem daemon balancing them from the VIP
// 127.0.0.10:8080 (examples/quickstart.conf). Ctrl-C stops everything. With DEMO_SMOKE=1 it sends
// ten requests through the VIP, prints where each went, and exits (used by the tests).
import { spawn } from 'node:child_process';
import { createServer, get } from 'node:http';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
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
const daemon = spawn(
  process.execPath,
  [
    `${repo}build/src/daemon/main.js`,
    '-n',
    '-l',
    '-C',
    '-f',
    `${repo}examples/quickstart.conf`,
    '--dataplane',
    'proxy',
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
let ready = false;
const notReady = setTimeout(() => {
  console.error(
    'demo: tandem did not start listening on 127.0.0.10:8080 within 10 s (see its log above)',
  );
  stop(1);
}, 10_000);
daemon.stdout.on('data', (d) => {
  process.stdout.write(d);
  if (!ready && d.toString().includes('"msg":"listening"')) {
    ready = true;
    clearTimeout(notReady);
    if (process.env.DEMO_SMOKE === '1') void smoke();
    else
      process.stdout.write(
        '\ntandem is balancing http://127.0.0.10:8080/ — try: curl http://127.0.0.10:8080/  (Ctrl-C stops)\n\n',
      );
  }
});
const stop = (code) => {
  daemon.kill('SIGTERM');
  for (const s of servers) s.close();
  daemon.once('exit', () => process.exit(code));
};
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
daemon.once('exit', (code) => {
  for (const s of servers) s.close();
  if (!ready) process.exit(code ?? 1);
});

async function smoke() {
  for (let i = 0; i < 10; i++) {
    const body = await new Promise((resolve, reject) =>
      get('http://127.0.0.10:8080/', { agent: false }, (res) => {
        let b = '';
        res.on('data', (c) => (b += c));
        res.on('end', () => resolve(b));
      }).on('error', reject),
    );
    process.stdout.write(body);
  }
  stop(0);
}
