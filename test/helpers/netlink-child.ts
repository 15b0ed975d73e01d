// Runs inside a network namespace (`ip netns exec NS node netlink-child.js`) for the rtnetlink
// integration tests: one JSON request per stdin line, `{ id, op, arg }`, one `{ id, result }`
// line back; monitor events come as `{ event, at }` lines (`at`: Date.now() when delivered).
// Exits when stdin closes.
import { createInterface } from 'node:readline';
import {
  addAddress,
  deleteAddress,
  listAddresses,
  type AddressSpec,
} from '../../src/sys/rtnl-addr.js';
import { getLink, listLinks } from '../../src/sys/rtnl-link.js';
import { openRtnlMonitor, type RtnlMonitor } from '../../src/sys/rtnl-monitor.js';
import { addRoute, deleteRoute } from '../../src/sys/rtnl-route.js';
import { parseRouteWords } from '../../src/sys/route-words.js';

let monitor: RtnlMonitor | undefined;
const write = (v: unknown): void => {
  process.stdout.write(`${JSON.stringify(v)}\n`);
};

function route(words: string, add: boolean): unknown {
  const r = parseRouteWords(words.split(' '));
  if (!r.ok) return r;
  return add ? addRoute(r.value) : deleteRoute(r.value);
}

function run(op: string, arg: unknown): unknown {
  switch (op) {
    case 'addAddress':
      return addAddress(arg as AddressSpec);
    case 'deleteAddress':
      return deleteAddress(arg as AddressSpec);
    case 'listAddresses':
      return listAddresses(arg as Parameters<typeof listAddresses>[0]);
    case 'listLinks':
      return listLinks();
    case 'getLink':
      return getLink(arg as string);
    case 'addRoute':
      return route(arg as string, true);
    case 'deleteRoute':
      return route(arg as string, false);
    case 'monitor': {
      const r = openRtnlMonitor({ links: true, addresses: true }, (event) => {
        write({ event, at: Date.now() });
      });
      if (r.ok) monitor = r.monitor;
      return { ok: r.ok };
    }
    case 'closeMonitor':
      monitor?.close();
      return { ok: monitor?.closed === true };
    default:
      return { ok: false, code: 'EINVAL', message: `unknown op ${op}` };
  }
}

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const { id, op, arg } = JSON.parse(line) as { id: number; op: string; arg: unknown };
  write({ id, result: run(op, arg) });
});
rl.on('close', () => {
  monitor?.close();
});
