// Boots the test VM once: qemu-system-x86_64 in software emulation (TCG; KVM is unreliable on
// these machines), no network device at all, the console on the first serial port and a
// results channel on the second. /init runs the given shell script between two markers that
// carry a fresh nonce, then powers off; the host takes the script's output from between the
// markers and its exit status from the end marker. A hard timeout kills qemu.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  copyFileSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { CpioWriter } from './cpio.js';
import {
  BEGIN_MARKER,
  defaultCacheDir,
  END_MARKER,
  prepareVmImage,
  type ImageOptions,
  type VmImage,
} from './image.js';

export const QEMU = 'qemu-system-x86_64';
export const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const CONSOLE_KEEP = 4 << 20;
/** Run folders older than this were left by a killed run (each holds a 130 MB initrd). */
const STALE_RUN_MS = 6 * 3600_000;

export interface VmRunOptions extends ImageOptions {
  /** A busybox sh script; it runs in /tandem with the project there, as root. */
  readonly script: string;
  /** Extra environment for the script (TANDEM_VM=1 and the host's CI are always set). */
  readonly env?: Readonly<Record<string, string>>;
  /** Hard limit for the whole boot, from qemu's start; default 10 minutes. */
  readonly timeoutMs?: number;
  readonly memoryMb?: number;
  readonly cpus?: number;
  /** Every chunk of console output as it arrives (for live progress). */
  readonly onConsole?: (text: string) => void;
  /** An image from prepareVmImage(), to skip the cache checks. */
  readonly image?: VmImage;
}

export interface VmRunResult {
  /** The script's exit status; undefined when the end marker never came. */
  readonly exitCode: number | undefined;
  /** What the script printed (console text between the markers, without \r). */
  readonly output: string;
  /** What the script wrote to /dev/ttyS1. */
  readonly results: string;
  /** The whole console, for diagnosis (the last 4 MB). */
  readonly console: string;
  /** From qemu's start to the begin marker (kernel, /init, module loading). */
  readonly bootMs: number | undefined;
  readonly durationMs: number;
  readonly timedOut: boolean;
  readonly kernelVersion: string;
}

function shellQuote(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

/** The run layer (/vm/run.sh, /vm/env) appended to the cached layers as one initrd. */
function writeInitrd(image: VmImage, path: string, script: string, env: Record<string, string>) {
  copyFileSync(image.layers[0] ?? '', path, constants.COPYFILE_FICLONE);
  for (const layer of image.layers.slice(1)) appendFileSync(path, readFileSync(layer));
  const runLayer = `${path}.run`;
  const w = new CpioWriter(runLayer);
  w.data('vm/run.sh', script, 0o755);
  const lines = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}\n`);
  w.data('vm/env', lines.join(''), 0o644);
  w.finish();
  appendFileSync(path, readFileSync(runLayer));
  rmSync(runLayer);
}

/** Boot the VM, run `opts.script` inside, and collect its output and status. */
export async function runInVm(opts: VmRunOptions): Promise<VmRunResult> {
  const image = opts.image ?? prepareVmImage(opts);
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const nonce = randomBytes(8).toString('hex');
  removeStaleRuns(join(cacheDir, 'runs'));
  const runDir = join(cacheDir, 'runs', `${process.pid}-${nonce}`);
  mkdirSync(runDir, { recursive: true });
  const initrd = join(runDir, 'initrd.cpio');
  const resultsFile = join(runDir, 'results');
  const env: Record<string, string> = {
    TANDEM_VM: '1',
    TANDEM_VM_NONCE: nonce,
    ...(process.env.CI === undefined ? {} : { CI: process.env.CI }),
    ...opts.env,
  };
  try {
    writeInitrd(image, initrd, opts.script, env);
    const args = [
      '-accel',
      'tcg',
      '-cpu',
      'max',
      '-m',
      String(opts.memoryMb ?? 1024),
      '-smp',
      String(opts.cpus ?? 1),
      '-nographic',
      '-no-reboot',
      '-nic',
      'none',
      '-serial',
      'mon:stdio',
      '-serial',
      `file:${resultsFile}`,
      '-kernel',
      image.kernel,
      '-initrd',
      initrd,
      '-append',
      'console=ttyS0 panic=-1 quiet',
    ];
    const run = await boot(args, nonce, opts);
    const results = existsSync(resultsFile)
      ? readFileSync(resultsFile, 'utf8').replace(/\r/g, '')
      : '';
    return { ...run, results, kernelVersion: image.kernelVersion };
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}

function removeStaleRuns(dir: string): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    try {
      if (Date.now() - statSync(path).mtimeMs > STALE_RUN_MS) {
        rmSync(path, { recursive: true, force: true });
      }
    } catch {
      // another run removed it first
    }
  }
}

type BootResult = Omit<VmRunResult, 'results' | 'kernelVersion'>;

function boot(args: readonly string[], nonce: string, opts: VmRunOptions): Promise<BootResult> {
  const started = Date.now();
  const begin = `${BEGIN_MARKER} ${nonce}@@`;
  const endRe = new RegExp(`${END_MARKER} ${nonce} rc=(\\d+)@@`);
  return new Promise((resolve, reject) => {
    const qemu = spawn(QEMU, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let text = '';
    let bootMs: number | undefined;
    let timedOut = false;
    // Multi-byte characters can straddle chunks; each stream gets its own decoder.
    const decoders = [new StringDecoder('utf8'), new StringDecoder('utf8')] as const;
    const take = (decoder: StringDecoder, chunk: Buffer): void => {
      const s = decoder.write(chunk);
      opts.onConsole?.(s);
      text += s;
      if (text.length > CONSOLE_KEEP) text = text.slice(text.length - CONSOLE_KEEP);
      if (bootMs === undefined && text.includes(begin)) bootMs = Date.now() - started;
    };
    qemu.stdout.on('data', (c: Buffer) => take(decoders[0], c));
    qemu.stderr.on('data', (c: Buffer) => take(decoders[1], c));
    const timer = setTimeout(() => {
      timedOut = true;
      qemu.kill('SIGKILL');
    }, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    qemu.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    qemu.on('close', () => {
      clearTimeout(timer);
      const clean = text.replace(/\r/g, '');
      const from = clean.indexOf(begin);
      const end = endRe.exec(clean);
      let output = '';
      if (from >= 0) {
        const start = clean.indexOf('\n', from) + 1;
        output = clean.slice(start, end === null ? undefined : end.index);
      }
      resolve({
        exitCode: end?.[1] === undefined ? undefined : Number(end[1]),
        output,
        console: clean,
        bootMs,
        durationMs: Date.now() - started,
        timedOut,
      });
    });
  });
}
