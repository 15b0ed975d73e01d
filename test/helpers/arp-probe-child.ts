// Runs probeArp inside a network namespace (`ip netns exec NS node arp-probe-child.js JSON`),
// for test/integration/sys-arp-probe.test.ts. argv[2] is a JSON array of probe requests; for each
// one a JSON line on stdout: the result, the elapsed time, and how late a 10 ms setInterval ran
// meanwhile (the probe must never block the event loop).
import { probeArp, type ArpProbeRequest } from '../../src/sys/arp-probe.js';

const TICK_MS = 10;
const requests = JSON.parse(process.argv[2] ?? '[]') as ArpProbeRequest[];
for (const req of requests) {
  let last = performance.now();
  let maxLagMs = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxLagMs = Math.max(maxLagMs, now - last - TICK_MS);
    last = now;
    ticks++;
  }, TICK_MS);
  const started = performance.now();
  const result = await probeArp(req);
  const elapsedMs = performance.now() - started;
  clearInterval(timer);
  process.stdout.write(
    `${JSON.stringify({ target: req.target, result, elapsedMs, maxLagMs, ticks })}\n`,
  );
}
