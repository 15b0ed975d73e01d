// Health checkers inside the running daemon: a real server that stops is removed within the
// configured bound and traffic avoids it; started again it is re-added; keepalived's log lines
// appear. Real HTTP servers, real curl, the real tandem binary.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTandemListening } from '../helpers/daemon.js';
import { curl, freePort, startHttpServer, tally } from '../helpers/real-http.js';

const VIP = '127.0.45.1';

test('TCP_CHECK: a stopped real server leaves the pool and comes back when it restarts', async () => {
  const a = await startHttpServer('127.0.45.2');
  const b = await startHttpServer('127.0.45.3');
  const port = await freePort(VIP);
  const check = `TCP_CHECK {
            connect_timeout 1
            retry 1
            delay_before_retry 1
        }`;
  const t = await startTandemListening(
    `virtual_server ${VIP} ${port} {
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server ${a.address} ${a.port} {
        weight 1
        ${check}
    }
    real_server ${b.address} ${b.port} {
        weight 1
        ${check}
    }
}
`,
    1,
  );
  const label = `[${a.address}]:tcp:${a.port}`;
  const vsLabel = `[${VIP}]:tcp:${port}`;
  try {
    await t.waitFor((r) => r.msg === `TCP connection to ${label} success.`, 5000);
    await a.stop();
    const stopped = performance.now();
    // Healthy, then refused: delay_loop (≤1 s) + retry × delay_before_retry (1 s) + slack.
    await t.waitFor((r) => r.msg === `TCP_CHECK on service ${label} failed after 1 retries.`, 5000);
    await t.waitFor((r) => r.msg === `Removing service ${label} from VS ${vsLabel}`, 1000);
    const took = performance.now() - stopped;
    assert.ok(took < 3500, `removed after ${Math.round(took)} ms`);
    const replies: string[] = [];
    for (let i = 0; i < 4; i++) replies.push(await curl(`http://${VIP}:${port}/`));
    assert.deepEqual(tally(replies), { [b.name]: 4 });
    const again = await startHttpServer(a.address, a.port);
    await t.waitFor((r) => r.msg === `Adding service ${label} to VS ${vsLabel}`, 4000);
    const after: string[] = [];
    for (let i = 0; i < 4; i++) after.push(await curl(`http://${VIP}:${port}/`));
    assert.deepEqual(tally(after), { [again.name]: 2, [b.name]: 2 });
    await again.stop();
  } finally {
    assert.equal(await t.stop(), 0);
    await b.stop();
  }
});
