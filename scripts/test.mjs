// Runs the compiled test files with Node's own test runner. Node 20's `--test` takes paths,
// not globs, so this walks build/test (or the folders given) and hands the files over.
// e2e tests live in build/test/e2e and are included only when TANDEM_E2E=1. Tests in
// build/test/vm run inside the qemu test VM (npm run test:vm, test/integration/ipvs-vm.test.ts),
// never directly on the host.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = process.argv.slice(2).map((p) => p.replace(/^test\b/, 'build/test'));
if (roots.length === 0) roots.push('build/test');

const files = [];
for (const root of roots) {
  if (statSync(root).isFile()) {
    files.push(root);
    continue;
  }
  for (const entry of readdirSync(root, { recursive: true })) {
    const path = join(root, String(entry));
    if (!path.endsWith('.test.js')) continue;
    if (path.includes('/e2e/') && process.env.TANDEM_E2E !== '1') continue;
    if (/(^|\/)build\/test\/vm\//.test(path)) continue;
    files.push(path);
  }
}
files.sort();
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--test', '--enable-source-maps', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
