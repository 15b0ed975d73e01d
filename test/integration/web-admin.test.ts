// The admin listener from outside: /metrics parses as Prometheus text, /status.json is the
// source's status, only GET is served, and the status page in headless Chromium (Debian's,
// driven by playwright-core) renders the instances and real servers and shows a real server
// going down within one refresh. The page's screenshot is written to a temporary directory.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { launchChromium, type PageDom } from '../helpers/chromium.js';
import { createLogger, type LogRecord } from '../../src/lib/log.js';
import { AdminServer, type WebStatus } from '../../src/web/index.js';
import { parseProm, sampleValue } from '../helpers/prom-parse.js';
import { requireTool } from '../helpers/tools.js';
import { fakeStatus } from '../helpers/web-status.js';

interface Harness {
  readonly base: string;
  readonly logs: LogRecord[];
  /** Replaces what the source returns from the next read on. */
  set(next: Partial<{ down: string[]; fail: boolean }>): void;
  current(): WebStatus;
}

async function startAdmin(t: TestContext): Promise<Harness> {
  const logs: LogRecord[] = [];
  let down: string[] = [];
  let fail = false;
  let reads = 0;
  let last = fakeStatus();
  const server = new AdminServer({
    port: 0,
    log: createLogger({ write: (r) => logs.push(r) }),
    status: () => {
      if (fail) return Promise.reject(new Error('status source failed'));
      last = fakeStatus({ down, t: reads++ });
      return Promise.resolve(last);
    },
  });
  await server.start();
  t.after(() => server.close());
  const { address, port } = server.address();
  assert.equal(address, '127.0.0.1');
  return {
    base: `http://${address}:${port}`,
    logs,
    set: (next) => {
      down = next.down ?? down;
      fail = next.fail ?? fail;
    },
    current: () => last,
  };
}

/** Sends raw bytes and returns the response's first line. */
function rawRequest(base: string, bytes: string): Promise<string> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(url.port), url.hostname);
    let got = '';
    sock.setTimeout(5000, () => sock.destroy(new Error('timeout')));
    sock.on('data', (d: Buffer) => (got += d.toString('latin1')));
    sock.on('error', reject);
    sock.on('close', () => resolve(got.split('\r\n', 1)[0] ?? ''));
    sock.end(bytes);
  });
}

test('admin listener: /metrics, /status.json, GET only, 404', async (t) => {
  const h = await startAdmin(t);

  const metrics = await fetch(`${h.base}/metrics?from=test`);
  assert.equal(metrics.status, 200);
  assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const f = parseProm(await metrics.text());
  assert.equal(sampleValue(f, 'tandem_vrrp_state', { instance: 'VI_WEB', state: 'MASTER' }), 1);
  assert.equal(
    sampleValue(f, 'tandem_real_server_up', { vs: 'tcp:10.0.0.1:80', rs: '10.0.1.2:80' }),
    1,
  );

  h.set({ down: ['10.0.1.2|80'] });
  const json = await fetch(`${h.base}/status.json`);
  assert.equal(json.status, 200);
  assert.match(json.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(json.headers.get('cache-control'), 'no-store');
  assert.deepEqual(await json.json(), JSON.parse(JSON.stringify(h.current())));
  const again = parseProm(await (await fetch(`${h.base}/metrics`)).text());
  assert.equal(
    sampleValue(again, 'tandem_real_server_up', { vs: 'tcp:10.0.0.1:80', rs: '10.0.1.2:80' }),
    0,
  );

  for (const [method, path] of [
    ['POST', '/'],
    ['POST', '/metrics'],
    ['PUT', '/status.json'],
    ['DELETE', '/status.json'],
    ['HEAD', '/'],
  ] as const) {
    const res = await fetch(`${h.base}${path}`, { method });
    assert.equal(res.status, 405, `${method} ${path}`);
    assert.equal(res.headers.get('allow'), 'GET');
    await res.arrayBuffer();
  }
  for (const path of ['/nope', '/metrics/', '/status', '/index.html']) {
    const res = await fetch(`${h.base}${path}`);
    assert.equal(res.status, 404, path);
    await res.arrayBuffer();
  }

  const page = await fetch(`${h.base}/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  const html = await page.text();
  assert.doesNotMatch(html, /\b(src|href)="(https?:)?\/\//, 'no external assets');

  // Odd request targets are answered, never fatal.
  for (const target of ['http://[/', '%zz', '//evil.example/']) {
    const head = await rawRequest(
      h.base,
      `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    assert.match(head, /^HTTP\/1\.1 (400|404) /, target);
  }

  h.set({ fail: true });
  const failed = await fetch(`${h.base}/status.json`);
  assert.equal(failed.status, 503);
  await failed.arrayBuffer();
  assert.equal((await fetch(`${h.base}/metrics`)).status, 503);
  assert.ok(h.logs.some((r) => r.msg === 'admin request failed'));
  h.set({ fail: false });
  assert.equal((await fetch(`${h.base}/metrics`)).status, 200, 'alive after failures');
});

test('status page in headless Chromium: renders, shows a real server down within one refresh', async (t) => {
  if (!requireTool(t, 'chromium')) return;
  const h = await startAdmin(t);
  const dir = mkdtempSync(join(tmpdir(), 'tandem-web-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const context = await launchChromium(dir);
  t.after(() => context.close());
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  const foreign: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('request', (r) => {
    if (!r.url().startsWith(h.base)) foreign.push(r.url());
  });

  await page.goto(`${h.base}/`, { timeout: 10_000 });
  await page.waitForSelector('[data-instance="VI_WEB"][data-state="MASTER"]', { timeout: 5000 });
  await page.waitForSelector('[data-instance="VI_DNS"][data-state="BACKUP"]', { timeout: 1000 });
  for (const rs of ['10.0.1.1:80', '10.0.1.2:80', '[2001:db8::1:1]:53']) {
    await page.waitForSelector(`tr[data-rs="${rs}"][data-health="up"]`, { timeout: 1000 });
  }
  assert.match((await page.textContent('header')) ?? '', /refresh every 2 s/);
  // A few samples so the sparklines have a line to draw in the screenshot.
  // A function, not a string: the page's CSP forbids eval, and a function is called over CDP.
  await page.waitForFunction(
    () =>
      [...(globalThis as unknown as PageDom).document.querySelectorAll('polyline')].some(
        (p) => String(p.getAttribute('points')).split(' ').length >= 3,
      ),
    undefined,
    { timeout: 8000 },
  );

  h.set({ down: ['10.0.1.2|80'] });
  const flipped = Date.now();
  // Polled every 20 ms in the page: waitForSelector backs off to 500 ms, too coarse to time.
  await page.waitForFunction(
    () =>
      (globalThis as unknown as PageDom).document.querySelector(
        'tr[data-rs="10.0.1.2:80"][data-health="down"]',
      ) !== null,
    undefined,
    { timeout: 2500, polling: 20 },
  );
  const tookMs = Date.now() - flipped;
  assert.ok(tookMs <= 2500, `down shown after ${tookMs} ms`);
  assert.equal(await page.locator('tr[data-rs="10.0.1.1:80"][data-health="up"]').count(), 1);
  t.diagnostic(`real server shown down ${tookMs} ms after the source changed`);

  const png = join(dir, 'status-page.png');
  await page.screenshot({ path: png, fullPage: true });
  const bytes = readFileSync(png);
  assert.ok(bytes.length > 1000);
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (process.env.TANDEM_KEEP_SCREENSHOT !== undefined) {
    // For looking at the page by hand: copy it out before the directory is removed.
    copyFileSync(png, process.env.TANDEM_KEEP_SCREENSHOT);
  }

  assert.deepEqual(errors, []);
  assert.deepEqual(foreign, [], 'the page loads nothing from elsewhere');
});
