// The qemu test VM with a real IPVS kernel (docs/testing-vm.md): build the image from Debian
// packages, boot it, run a script or the VM test suite inside.

import { haveTool } from '../tools.js';
import { QEMU } from './vm.js';

export { defaultCacheDir, prepareVmImage, GUEST_PROJECT, type VmImage } from './image.js';
export { runInVm, DEFAULT_TIMEOUT_MS, QEMU, type VmRunOptions, type VmRunResult } from './vm.js';
export {
  parseTapSummary,
  runVmTests,
  vmTestFiles,
  VM_TEST_DIR,
  type TapSummary,
  type VmTestOptions,
  type VmTestResult,
} from './suite.js';

/** Host programs the harness runs. */
export const VM_HOST_TOOLS = [QEMU, 'apt-get', 'apt-cache', 'dpkg-deb', 'depmod', 'ldd'];

/** The host programs that are missing (depmod is looked for in the sbin folders too). */
export function missingVmTools(): string[] {
  return VM_HOST_TOOLS.filter(
    (t) =>
      !haveTool(t) &&
      !(t === 'depmod' && (haveTool('/sbin/depmod') || haveTool('/usr/sbin/depmod'))),
  );
}
