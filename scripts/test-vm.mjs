// `npm run test:vm`: boots the qemu test VM with a real IPVS kernel (docs/testing-vm.md) and
// runs the VM test suite (build/test/vm) inside it, streaming the VM's console.
//   npm run test:vm                           every VM test file
//   npm run test:vm -- test/vm/x.test.ts      some files (source or build paths)
//   npm run test:vm -- --shell 'ipvsadm -L -n'  one shell command instead of the suite
//   --timeout SECONDS (default 600), --cpus N (virtual CPUs, default 1)
import { missingVmTools, runInVm, runVmTests } from '../build/test/helpers/vm/index.js';

const args = process.argv.slice(2);
let shell;
let timeoutMs;
let cpus;
const files = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--shell') shell = args[++i];
  else if (a === '--timeout') timeoutMs = Number(args[++i]) * 1000;
  else if (a === '--cpus') cpus = Number(args[++i]);
  else files.push(a.replace(/^test\//, 'build/test/').replace(/\.ts$/, '.js'));
}

const missing = missingVmTools();
if (missing.length > 0) {
  console.error(`test:vm needs ${missing.join(', ')} (see .ci/run for the packages)`);
  process.exit(1);
}

const opts = {
  log: (line) => console.error(`[vm] ${line}`),
  onConsole: (text) => process.stdout.write(text),
  ...(timeoutMs === undefined ? {} : { timeoutMs }),
  ...(cpus === undefined ? {} : { cpus }),
};
const r =
  shell !== undefined
    ? await runInVm({ ...opts, script: `${shell}\n` })
    : await runVmTests({ ...opts, ...(files.length === 0 ? {} : { files }) });

console.error(
  `[vm] kernel ${r.kernelVersion}; boot ${r.bootMs ?? '?'} ms; total ${r.durationMs} ms` +
    (r.timedOut ? '; TIMED OUT' : ''),
);
if ('summary' in r && r.summary !== undefined) {
  const s = r.summary;
  console.error(`[vm] ${s.pass} passed, ${s.fail} failed, ${s.skipped} skipped`);
}
process.exit(r.exitCode ?? 1);
