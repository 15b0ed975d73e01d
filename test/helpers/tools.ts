// Prerequisites of tests that use real programs. Outside CI a missing tool skips the test with
// the reason; under CI=true it is a failure, because CI installs everything (.ci/run).
import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

export function haveTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** True when `name` is on PATH; otherwise skips (or, under CI, fails) the test. */
export function requireTool(t: TestContext, name: string): boolean {
  if (haveTool(name)) return true;
  if (process.env.CI === 'true')
    throw new Error(`${name} is required under CI=true but not installed`);
  t.skip(`${name} is not installed`);
  return false;
}

/** True when running as root; otherwise skips (or, under CI, fails) the test. */
export function requireRoot(t: TestContext, why: string): boolean {
  if (process.getuid?.() === 0) return true;
  if (process.env.CI === 'true') throw new Error(`root is required under CI=true: ${why}`);
  t.skip(`needs root: ${why}`);
  return false;
}
