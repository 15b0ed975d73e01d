// The status page of a real daemon in headless Chromium: a real server behind a TCP_CHECK is shown
// up, then shown down within one page refresh of the daemon's checker taking it out.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { launchChromium, type PageDom } from '../helpers/chromium.js';
import { startTandem } from '../helpers/daemon.js';
import { freePort } from '../helpers/processes.js';
import { startHttpServer } from '../helpers/real-http.js';
import { requireTool } from '../helpers/tools.js';

test(
  'status page of a running daemon: a real server going down',
  { timeout: 60_000 },
  async (t) => {
    if (!requireTool(t, 'chromium')) return;
    const a = await startHttpServer('127.0.0.1', 0);
    const b = await startHttpServer('127.0.0.1', 0);
    t.after(() => a.stop());
    const port = await freePort('127.0.0.64');
    const admin = await freePort('127.0.0.1');
    const check = 'TCP_CHECK { connect_timeout 1\n retry 0\n delay_before_retry 1 }';
    const d = startTandem(
      `virtual_server 127.0.0.64 ${port} {
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 127.0.0.1 ${a.port} { weight 1
    ${check} }
  real_server 127.0.0.1 ${b.port} { weight 1
    ${check} }
}`,
      ['--admin', `127.0.0.1:${admin}`],
    );
    t.after(() => d.stop());
    await d.waitFor((r) => r.msg === 'admin listener ready', 5000);
    const dir = mkdtempSync(join(tmpdir(), 'tandem-page-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const context = await launchChromium(dir);
    t.after(() => context.close());
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`http://127.0.0.1:${admin}/`, { timeout: 10_000 });
    const rsB = `127.0.0.1:${b.port}`;
    await page.waitForSelector(`tr[data-rs="${rsB}"][data-health="up"]`, { timeout: 5000 });

    await b.stop();
    const removed = await d.waitFor((r) => r.msg.startsWith('Removing service'), 6000);
    const at = Date.now();
    await page.waitForFunction(
      (sel) => (globalThis as unknown as PageDom).document.querySelector(sel) !== null,
      `tr[data-rs="${rsB}"][data-health="down"]`,
      { timeout: 3000, polling: 20 },
    );
    const tookMs = Date.now() - at;
    t.diagnostic(`'${removed.msg}' shown on the page ${tookMs} ms later`);
    assert.ok(tookMs <= 2500, `shown after ${tookMs} ms (refresh every 2 s)`);
    const png = join(dir, 'daemon-status.png');
    await page.screenshot({ path: png, fullPage: true });
    assert.deepEqual([...readFileSync(png).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  },
);
