// The running daemon seen from outside: `tandem status` over the control socket, and the admin
// listener's /metrics (parsed as Prometheus text) and /status.json.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startTandem } from '../helpers/daemon.js';
import { TANDEM } from '../helpers/paths.js';
import { parseProm } from '../helpers/prom-parse.js';
import { startHttpServer } from '../helpers/real-http.js';
import { freePort } from '../helpers/processes.js';

test('tandem status and the admin listener of a running daemon', { timeout: 30_000 }, async (t) => {
  const rs = await startHttpServer('127.0.0.1', 0);
  t.after(() => rs.stop());
  const port = await freePort('127.0.0.63');
  const admin = await freePort('127.0.0.1');
  const dir = mkdtempSync(join(tmpdir(), 'tandem-obs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const sock = join(dir, 'control.sock');
  const d = startTandem(
    `virtual_server 127.0.0.63 ${port} {
  lb_algo wrr
  lb_kind NAT
  protocol TCP
  real_server 127.0.0.1 ${rs.port} { weight 3 }
}`,
    ['--control', sock, '--admin', `127.0.0.1:${admin}`],
  );
  t.after(() => d.stop());
  await d.waitFor((r) => r.msg === 'control socket listening', 5000);
  await d.waitFor((r) => r.msg === 'admin listener ready', 5000);

  const st = spawnSync(process.execPath, [TANDEM, 'status', '--control', sock], {
    encoding: 'utf8',
  });
  assert.equal(st.status, 0, st.stderr);
  assert.match(st.stdout, /^Virtual servers$/m);
  assert.match(st.stdout, new RegExp(`TCP 127\\.0\\.0\\.63:${port} wrr`));
  assert.match(st.stdout, new RegExp(`-> 127\\.0\\.0\\.1:${rs.port}\\s+up\\s+weight 3`));
  const json = spawnSync(process.execPath, [TANDEM, 'status', '--json', '--control', sock], {
    encoding: 'utf8',
  });
  assert.equal((JSON.parse(json.stdout) as { pid: number }).pid, d.proc.pid);

  const metrics = await (await fetch(`http://127.0.0.1:${admin}/metrics`)).text();
  const families = parseProm(metrics);
  assert.ok(families.size > 10, metrics.slice(0, 500));
  // The notification path's counters come through the same status.
  assert.match(metrics, /^tandem_notify_scripts_total\{result="started"\} 0$/m);
  const status = (await (await fetch(`http://127.0.0.1:${admin}/status.json`)).json()) as {
    services: { service: string }[];
  };
  assert.equal(status.services[0]?.service, `TCP 127.0.0.63:${port}`);
  const post = await fetch(`http://127.0.0.1:${admin}/metrics`, { method: 'POST' });
  assert.equal(post.status, 405);
});
