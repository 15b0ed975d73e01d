// A child process that runs src/sys raw sockets inside a network namespace
// (`ip netns exec NS node build/test/helpers/raw-socket-child.js`), driven by JSON lines on stdin
// and answering with JSON lines on stdout: one reply per request (same `seq`), plus
// `{ event: 'packet' }` lines for every packet a receiving socket gets. See raw-child.ts.
import { createInterface } from 'node:readline';
import { NeighbourAnnouncer } from '../../src/sys/garp.js';
import { openVrrpSocket, type VrrpSocket, type VrrpSocketSpec } from '../../src/sys/vrrp-socket.js';

type Request =
  | { seq: number; op: 'open'; spec: VrrpSocketSpec }
  | { seq: number; op: 'recv'; id: number }
  | { seq: number; op: 'send'; id: number; hex: string; dst: string }
  | { seq: number; op: 'garp'; ifname: string; ip: string; count: number }
  | { seq: number; op: 'na'; ifname: string; ip: string; router: boolean }
  | { seq: number; op: 'exit' };

const sockets: VrrpSocket[] = [];
const write = (o: object): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

async function handle(r: Request): Promise<object> {
  switch (r.op) {
    case 'open': {
      const o = openVrrpSocket(r.spec);
      if (!o.ok) return { ok: false, code: o.code, syscall: o.syscall };
      sockets.push(o.socket);
      return { ok: true, id: sockets.length - 1, ifindex: o.socket.ifindex };
    }
    case 'recv': {
      const err = sockets[r.id]?.startReceiving(
        (p) => write({ event: 'packet', id: r.id, ...p, bytes: hex(p.bytes) }),
        (code) => write({ event: 'error', id: r.id, code }),
      );
      return { ok: err === undefined, code: err };
    }
    case 'send': {
      const s = sockets[r.id];
      const err = s === undefined ? 'EBADF' : s.send(Buffer.from(r.hex, 'hex'), r.dst);
      return { ok: err === undefined, code: err };
    }
    case 'garp':
    case 'na': {
      const o = await NeighbourAnnouncer.open(r.ifname);
      if (!o.ok) return { ok: false, code: o.code };
      let err: string | undefined;
      for (let i = 0; i < (r.op === 'garp' ? r.count : 1) && err === undefined; i++) {
        err =
          r.op === 'garp'
            ? o.announcer.gratuitousArp(r.ip)
            : o.announcer.unsolicitedNa(r.ip, { router: r.router });
      }
      o.announcer.close();
      return { ok: err === undefined, code: err, mac: o.announcer.mac };
    }
    case 'exit':
      for (const s of sockets) s.close();
      setImmediate(() => process.exit(0));
      return { ok: true };
  }
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const r = JSON.parse(line) as Request;
  void handle(r).then((reply) => write({ seq: r.seq, ...reply }));
});
// The test closing our stdin (or dying) ends us too: never outlive the namespace.
lines.on('close', () => {
  for (const s of sockets) s.close();
  process.exit(0);
});
