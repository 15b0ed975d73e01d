// The real servers of bench/checkers: N TCP listeners spread over 127.0.70.x addresses (port 0),
// in their own process so the bench's file descriptors go to the checks. Prints one JSON line
// with the listeners, then accepts and closes until stdin closes.
import { createServer, type Server } from 'node:net';

const count = Number(process.argv[2] ?? 10_000);
const servers: Server[] = [];
const out: { address: string; port: number }[] = [];
for (let i = 0; i < count; i++) {
  const address = `127.0.70.${1 + (i % 200)}`;
  const s = createServer((c) => c.destroy());
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.listen({ host: address, port: 0, backlog: 64 }, () => resolve());
  });
  const a = s.address();
  if (a !== null && typeof a === 'object') out.push({ address, port: a.port });
  servers.push(s);
}
process.stdout.write(`${JSON.stringify(out)}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
