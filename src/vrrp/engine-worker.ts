// The VRRP engine's own thread. keepalived runs VRRP in a child process so checker load never
// delays an advert (keepalived.md §4.2); tandem runs it in a worker thread: its own event loop,
// its own V8 heap and garbage collector, so a saturated proxy data plane on the main thread
// cannot hold back a timer here. Log lines are written straight to stdout from this thread
// (one write(2) per line, atomic on pipes) rather than relayed through the busy main thread.

import { writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '../lib/clock.js';
import { createLogger, LEVELS, type LevelName } from '../lib/log.js';
import { logSink } from '../lib/log-format.js';
import { openSyslog } from '../sys/syslog.js';
import { VrrpEngine } from './engine.js';
import type { EngineWorkerInit, FromEngine, ToEngine } from './engine-protocol.js';
import { interfaceAddress } from './host-addresses.js';
import { openTransportOf } from './open-transport.js';
import { listenerVipHolder, type VipHolder } from './vips.js';
import { addressVipHolder } from './address-vips.js';
import { linkStateFromSysfs } from './track-interface.js';
import { SplitBrainDetector } from './split-brain.js';
import { openRtnlMonitor } from '../sys/rtnl-monitor.js';
import { probeArp } from '../sys/arp-probe.js';

const port = parentPort;
if (port === null) throw new Error('engine-worker.js must run in a worker thread');
const init = workerData as EngineWorkerInit;
const post = (m: FromEngine): void => port.postMessage(m);

const level = (Object.entries(LEVELS).find(([, n]) => n === init.logLevel)?.[0] ??
  'info') as LevelName;
const output = init.logOutput ?? { format: 'json', console: true };
// openlog(3) state is per process; opening again here only repeats the main thread's call.
const syslog = output.syslogFacility === undefined ? null : openSyslog(output.syslogFacility);
const log = createLogger({
  level,
  write: logSink(output, {
    console: (line) => {
      try {
        writeSync(1, line);
      } catch {
        // stdout closed: the daemon keeps running without its log reader.
      }
    },
    ...(syslog === null ? {} : { syslog }),
  }),
});

let listener: VipHolder | undefined;
let address: VipHolder | undefined;
const engine = new VrrpEngine({
  clock: systemClock,
  log,
  openTransport: openTransportOf,
  vipHolder: (mode) =>
    mode === 'listener'
      ? (listener ??= listenerVipHolder((instance, addresses, held) =>
          post({ t: 'vips', instance, addresses, held }),
        ))
      : (address ??= addressVipHolder(log.child({ subsys: 'vrrp' }))),
  interfaceAddress,
  onTransition: (e) => post({ t: 'transition', e }),
  onGroupTransition: (e) => post({ t: 'group', e }),
  linkState: (ifname) => linkStateFromSysfs(ifname),
  linkMonitor: (onLink, onAddressRemoved) => {
    const r = openRtnlMonitor({ links: true, addresses: true }, (e) => {
      if (e.type === 'link') onLink(e.ifname, e.up);
      else if (e.type === 'addr' && !e.added) onAddressRemoved?.(e.ifname, e.address);
    });
    if (r.ok) return r.monitor;
    log.warn({ code: r.code }, `cannot watch links over netlink: ${r.message}`);
    return { close: () => undefined };
  },
  splitBrain: (held) => {
    const d = new SplitBrainDetector({
      probe: probeArp,
      clock: systemClock,
      logger: log.child({ subsys: 'vrrp' }),
      held,
    });
    d.start();
    return d;
  },
});

port.on('message', (m: ToEngine) => {
  switch (m.t) {
    case 'load':
      engine.load(m.config).then(
        () => post({ t: 'loaded' }),
        (err: unknown) => post({ t: 'error', message: String(err) }),
      );
      return;
    case 'status':
      post({ t: 'status', id: m.id, status: engine.status() });
      return;
    case 'stop':
      engine.stop().then(
        () => {
          listener?.close();
          address?.close();
          post({ t: 'stopped' });
        },
        (err: unknown) => post({ t: 'error', message: String(err) }),
      );
      return;
    default:
      m satisfies never;
  }
});
