// The in-VM test suite: compiled node:test files under build/test/vm/ run inside one boot with
// `node --test` (one file at a time: they share the kernel's IPVS table). The spec reporter
// goes to the console for people; a TAP copy goes over the results port, and its closing
// counts tell the host what passed.

import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO } from '../paths.js';
import { GUEST_RESULTS_TTY } from './image.js';
import { runInVm, type VmRunOptions, type VmRunResult } from './vm.js';

/** Where compiled VM test files live, relative to the repository. */
export const VM_TEST_DIR = join('build', 'test', 'vm');

export interface TapSummary {
  readonly tests: number;
  readonly pass: number;
  readonly fail: number;
  readonly cancelled: number;
  readonly skipped: number;
  readonly todo: number;
  /** Names of failed tests (any depth), in order. */
  readonly failures: readonly string[];
}

export interface VmTestResult extends VmRunResult {
  /** Undefined when the TAP stream has no closing counts (the run did not finish). */
  readonly summary: TapSummary | undefined;
}

export type VmTestOptions = Omit<VmRunOptions, 'script'> & {
  /** Test files relative to the repository; default every build/test/vm/**\/*.test.js. */
  readonly files?: readonly string[];
  /** Extra `node` flags for the test run (e.g. --test-name-pattern=...). */
  readonly nodeArgs?: readonly string[];
};

/** The compiled VM test files, relative to `repo`. */
export function vmTestFiles(repo = REPO): string[] {
  const dir = join(repo, VM_TEST_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.test.js'))
    .map((f) => relative(repo, join(dir, f)))
    .sort();
}

export function parseTapSummary(tap: string): TapSummary | undefined {
  const count = (key: string): number | undefined => {
    const m = new RegExp(`^# ${key} (\\d+)$`, 'm').exec(tap);
    return m?.[1] === undefined ? undefined : Number(m[1]);
  };
  const tests = count('tests');
  if (tests === undefined) return undefined;
  const failures = [...tap.matchAll(/^\s*not ok \d+ - (.*)$/gm)].map((m) => m[1] ?? '');
  return {
    tests,
    pass: count('pass') ?? 0,
    fail: count('fail') ?? 0,
    cancelled: count('cancelled') ?? 0,
    skipped: count('skipped') ?? 0,
    todo: count('todo') ?? 0,
    failures,
  };
}

/** Boot once and run the VM test files inside. */
export async function runVmTests(opts: VmTestOptions = {}): Promise<VmTestResult> {
  const files = opts.files ?? vmTestFiles(opts.repo);
  if (files.length === 0) throw new Error(`no VM test files under ${VM_TEST_DIR}`);
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const argv = [
    'node',
    '--test',
    '--test-concurrency=1',
    '--enable-source-maps',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${GUEST_RESULTS_TTY}`,
    ...(opts.nodeArgs ?? []),
    ...files,
  ];
  const script = `${argv.map(quote).join(' ')}\n`;
  // No colour codes in the output the host keeps and prints in assertion messages.
  const env = { NO_COLOR: '1', ...opts.env };
  const run = await runInVm({ ...opts, env, script });
  return { ...run, summary: parseTapSummary(run.results) };
}
