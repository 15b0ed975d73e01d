// bench/config-parse: a generated keepalived.conf with 1,000 virtual_servers × 10 real_servers
// (TCP_CHECK each) is checked by `tandem -t` and by `keepalived -t` in the same run; prints
// wall time and peak RSS of each process (GNU time), and tandem's in-process compile time.
// Usage: npm run bench:config-parse [-- VIRTUAL_SERVERS REAL_SERVERS RUNS]

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { compileConfig } from '../src/config/index.js';
import { TANDEM_BIN } from './paths.js';

const FLOOR = fileURLToPath(new URL('./config-parse/floor.js', import.meta.url));

const [vsCount = 1000, rsCount = 10, runs = 5] = process.argv.slice(2).map(Number);

// keepalived refuses VRRP on lo: use a real interface of this host, as a director would.
const iface = readdirSync('/sys/class/net').find((n) => n !== 'lo') ?? 'eth0';

function generate(): string {
  const out: string[] = ['global_defs {\n  router_id bench\n}'];
  const vip = (i: number): string => `10.${Math.floor(i / 250)}.${i % 250}.1`;
  // A VRRP advert carries at most 255 addresses: one instance per 200 virtual servers.
  for (let first = 0; first < vsCount; first += 200) {
    const id = first / 200 + 1;
    out.push(
      `vrrp_instance VI_${id} {\n  state MASTER\n  interface ${iface}\n  virtual_router_id ${id}\n  priority 100\n  advert_int 1\n  virtual_ipaddress {`,
    );
    for (let v = first; v < Math.min(vsCount, first + 200); v++) out.push(`    ${vip(v)}`);
    out.push('  }\n}');
  }
  for (let v = 0; v < vsCount; v++) {
    out.push(
      `virtual_server ${vip(v)} 80 {\n  delay_loop 6\n  lvs_sched wrr\n  lvs_method DR\n  protocol TCP`,
    );
    for (let r = 0; r < rsCount; r++) {
      out.push(
        `  real_server 172.${16 + (v % 16)}.${Math.floor(v / 16)}.${r + 2} 80 {\n    weight ${1 + (r % 3)}\n    TCP_CHECK {\n      connect_timeout 3\n      retry 3\n      delay_before_retry 3\n      connect_port 80\n    }\n  }`,
      );
    }
    out.push('}');
  }
  return `${out.join('\n')}\n`;
}

interface Measure {
  readonly ms: number;
  readonly rssKb: number;
  readonly status: number;
}

function timed(cmd: string[], env: NodeJS.ProcessEnv = process.env): Measure {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', ...cmd], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env,
  });
  const lines = r.stderr.trim().split('\n');
  const [secs = 'NaN', rss = 'NaN'] = (lines[lines.length - 1] ?? '').split(' ');
  return { ms: Number(secs) * 1000, rssKb: Number(rss), status: r.status ?? -1 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-'));
try {
  const file = join(dir, 'keepalived.conf');
  const text = generate();
  writeFileSync(file, text);
  console.log(
    `config: ${vsCount} virtual_servers x ${rsCount} real_servers, ${(text.length / 1e6).toFixed(1)} MB, ${text.split('\n').length} lines; ${runs} runs, medians`,
  );

  const inproc: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = compileConfig(file, { interfaces: new Set(['lo', iface]) });
    inproc.push(performance.now() - t0);
    if (!r.ok) throw new Error('generated config did not compile');
  }

  const rows: [string, Measure][] = [];
  const measure = (name: string, cmd: string[], env?: NodeJS.ProcessEnv): void => {
    const ms: Measure[] = [];
    for (let i = 0; i < runs; i++) ms.push(timed(cmd, env));
    rows.push([
      name,
      {
        ms: median(ms.map((m) => m.ms)),
        rssKb: median(ms.map((m) => m.rssKb)),
        status: ms[0]?.status ?? -1,
      },
    ]);
  };
  measure('tandem -t', [process.execPath, TANDEM_BIN, '-t', '-f', file]);
  const keepalived = ['/usr/sbin/keepalived', '/sbin/keepalived'].find((p) => existsSync(p));
  if (keepalived !== undefined)
    measure('keepalived -t', [keepalived, '-t', '-f', file, '-l', '-n']);
  else console.log('keepalived not installed: no baseline (apt-get install keepalived)');
  // Node 20 parses NODE_EXTRA_CA_CERTS at start-up, before any of tandem's code runs (about
  // 40 ms for a system CA bundle; nodejs/node#40524). Shown apart so that it is not mistaken
  // for the compiler's cost; the verdict below uses the environment as it is.
  const { NODE_EXTRA_CA_CERTS: extraCa, ...envWithoutCa } = process.env;
  if (extraCa !== undefined) {
    measure('  without CA env', [process.execPath, TANDEM_BIN, '-t', '-f', file], envWithoutCa);
  }
  // The runtime's floor: Node starting, then Node reading and tokenizing the file (no model).
  measure('node -e 0', [process.execPath, '-e', '0']);
  measure('floor: tokenize', [process.execPath, FLOOR, file]);
  if (extraCa !== undefined) {
    measure('  without CA env', [process.execPath, FLOOR, file], envWithoutCa);
  }

  console.log(
    `${'command'.padEnd(18)} ${'wall ms'.padStart(9)} ${'peak RSS MB'.padStart(12)}  exit`,
  );
  for (const [name, m] of rows) {
    console.log(
      `${name.padEnd(18)} ${m.ms.toFixed(0).padStart(9)} ${(m.rssKb / 1024).toFixed(1).padStart(12)}  ${m.status}`,
    );
  }
  console.log(`tandem in-process compile: ${median(inproc).toFixed(0)} ms (no Node start-up)`);
  if (extraCa !== undefined) {
    console.log(
      `NODE_EXTRA_CA_CERTS is set: Node itself starts slower ('without CA env': tandem -t with it unset)`,
    );
  }
  const t = rows[0]?.[1];
  const k = rows.find(([name]) => name === 'keepalived -t')?.[1];
  if (t !== undefined && k !== undefined) {
    console.log(
      `ratio keepalived/tandem wall time: ${(k.ms / t.ms).toFixed(2)}x; target: tandem faster -> ${t.ms < k.ms ? 'PASS' : 'FAIL'}`,
    );
    const floor = rows.find(([name]) => name === 'floor: tokenize')?.[1];
    if (floor !== undefined) {
      console.log(
        `floor (Node start-up + read + tokenize, no model) / keepalived -t: ${(floor.ms / k.ms).toFixed(2)}x${floor.ms >= k.ms ? ': no compiler on this runtime and environment can beat keepalived here' : ''}`,
      );
    }
  }
} finally {
  if (process.env.KEEP_BENCH_FILE === undefined) rmSync(dir, { recursive: true, force: true });
  else console.log(`kept ${dir}`);
}
