#!/usr/bin/env node
// tandem's entry point: the configuration compiler (-t, --dump-config, --dump-table) and the
// daemon (the default), which runs the configured virtual servers through a data plane.
// The LVS table is imported only for --dump-table: `-t` is timed against keepalived's (bench/
// config-parse), and every ES module loaded costs Node 20 start-up time. For the same reason
// `tandem genhash …` / `tandem -T …` (keepalived's genhash mode) loads its module only when used,
// and so do `tandem status`, `tandem realserver` and `tandem demo`.

import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import {
  compileConfig,
  formatDiagnostics,
  summarize,
  type CompileResult,
} from '../config/index.js';
import { VERSION } from '../lib/version.js';
import { parseDaemonArgs, USAGE } from './args.js';
import { hostInterfaces } from './host.js';

const DEFAULT_FILES = ['/etc/keepalived/keepalived.conf', '/etc/tandem/keepalived.conf'];

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') || rel === '' ? path : rel;
}

function summary(r: CompileResult): string {
  const c = r.config;
  const rs = c.virtualServers.reduce((n, v) => n + v.realServers.length, 0);
  const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;
  return `${plural(c.vrrpInstances.length, 'vrrp_instance')}, ${plural(c.virtualServers.length, 'virtual_server')} with ${plural(rs, 'real_server')}`;
}

async function main(argv: readonly string[]): Promise<number> {
  // keepalived runs genhash for -T/--genhash anywhere on the line and hands it every argument.
  if (argv[0] === 'genhash' || argv.includes('-T') || argv.includes('--genhash')) {
    const { runGenhash } = await import('../check/genhash.js');
    return runGenhash(argv[0] === 'genhash' ? argv.slice(1) : argv, {
      stdout: (s) => process.stdout.write(s),
      stderr: (s) => process.stderr.write(s),
    });
  }
  if (argv[0] === 'status') {
    const { runStatus } = await import('./status-text.js');
    return runStatus(argv.slice(1));
  }
  if (argv[0] === 'demo') {
    const { runDemo } = await import('./demo.js');
    return runDemo(argv.slice(1), {
      stdout: (s) => process.stdout.write(s),
      stderr: (s) => process.stderr.write(s),
    });
  }
  if (argv[0] === 'realserver') {
    const { runRealserver } = await import('./realserver.js');
    return runRealserver(argv.slice(1), {
      stdout: (s) => process.stdout.write(s),
      stderr: (s) => process.stderr.write(s),
    });
  }
  const parsed = parseDaemonArgs(argv);
  if (!parsed.ok) {
    process.stderr.write(`tandem: ${parsed.message}\nTry 'tandem --help' for more information.\n`);
    return 2;
  }
  const args = parsed.args;
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.signum !== undefined) {
    // As keepalived --signum: the number for kill -s, or 'Unknown sigfunc NAME' and exit 1.
    const { SIGNUMS } = await import('./lifecycle.js');
    const n = Object.hasOwn(SIGNUMS, args.signum) ? SIGNUMS[args.signum] : undefined;
    if (n === undefined) {
      process.stderr.write(`Unknown sigfunc ${args.signum}\n`);
      return 1;
    }
    process.stdout.write(`${n}\n`);
    return 0;
  }
  if (args.version) {
    process.stdout.write(`tandem v${VERSION}\n`);
    return 0;
  }
  const file = args.useFile ?? DEFAULT_FILES.find((f) => existsSync(f)) ?? DEFAULT_FILES[0] ?? '';
  if (!args.configTest && !args.dumpConfig && !args.dumpTable) {
    const { runDaemon } = await import('./run.js');
    return runDaemon(args, file, displayPath);
  }
  const compiled = compileConfig(file, {
    interfaces: hostInterfaces(),
    ...(args.configId === undefined ? {} : { configId: args.configId }),
  });
  // With --dataplane nft, what that plane cannot program is an error of the configuration too.
  const planeErrors =
    args.dataplane === 'nft' && compiled.ok
      ? (await import('../dataplane/nft/support.js')).checkNftConfig(compiled.config)
      : [];
  const result: CompileResult = {
    ...compiled,
    ok: compiled.ok && planeErrors.length === 0,
    diagnostics: [...compiled.diagnostics, ...planeErrors],
  };
  process.stderr.write(formatDiagnostics(result.diagnostics, { displayPath }));
  if (args.dumpConfig) process.stdout.write(`${JSON.stringify(result.config, null, 2)}\n`);
  if (args.dumpTable && result.ok) {
    const { applyConfig, IpvsTable, renderList, schedulerFactory } =
      await import('../ipvs/index.js');
    const table = new IpvsTable({ now: () => performance.now(), schedulers: schedulerFactory });
    applyConfig(table, result.config);
    process.stdout.write(renderList(table.snapshot()));
  }
  const counts = summarize(result.diagnostics);
  if (!result.ok) {
    process.stderr.write(`tandem: ${displayPath(file)}: configuration is invalid (${counts})\n`);
    return 1;
  }
  if (args.configTest) {
    process.stdout.write(
      `tandem: ${displayPath(file)}: configuration is valid (${summary(result)})${counts === '' ? '' : `; ${counts}`}\n`,
    );
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
