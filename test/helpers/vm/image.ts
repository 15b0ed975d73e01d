// The test VM's boot files: a Debian cloud kernel and an initramfs of three concatenated cpio
// layers, so each is rebuilt only when its inputs change.
//   base     busybox, the kernel modules IPVS needs (and a few network drivers) with their
//            load order from modules.dep, the host's node binary with the libraries ldd names,
//            Debian's ipvsadm with libnl/libpopt, /etc basics and /init. Keyed by the package
//            versions, the node binary and the /init text.
//   project  the repository's package.json, build/src, build/test, test/fixtures and the
//            runtime node_modules (dependencies, recursively; koffi with its native module and
//            that module's libraries) under /tandem. Keyed by a hash of every file in it.
//   run      one run's script and environment (written by vm.ts for each boot).
// Layers are uncompressed: under TCG the kernel spends about 2.3 s inflating a gzip-ed 100 MB
// layer, and the uncompressed one only costs disk space in the cache (docs/testing-vm.md).

import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { REPO } from '../paths.js';
import { CpioWriter } from './cpio.js';
import {
  fetchKernel,
  fetchPackages,
  KERNEL_METAPACKAGE,
  resolveCandidates,
  type DebPackage,
} from './debs.js';

/** Bump to rebuild every cached layer after a change to how layers are made. */
const LAYOUT_VERSION = 1;
/** Layers of each kind kept in the cache (other worktrees may be using older ones). */
const KEEP_LAYERS = 3;

/** Modules the VM must have; the harness fails without them. */
const REQUIRED_MODULES = ['ip_vs', 'dummy'];
/** Loaded when the kernel has them: tunnels for TUN real servers, veth for pairs. */
const OPTIONAL_MODULES = ['veth', 'ipip', 'ip6_tunnel', 'ip_gre', 'ip6_gre', 'fou', 'fou6'];
/** Every module in this folder (all schedulers, ftp and sip helpers) is loaded too. */
const IPVS_MODULE_DIR = 'kernel/net/netfilter/ipvs/';

/** Debian packages the base layer takes files from, besides the kernel. */
const USER_PACKAGES = ['busybox-static', 'ipvsadm', 'libnl-3-200', 'libnl-genl-3-200', 'libpopt0'];

/** Markers /init prints around the run script's output; vm.ts looks for them. */
export const BEGIN_MARKER = '@@TANDEM-VM-BEGIN';
export const END_MARKER = '@@TANDEM-VM-END';

/** Where the project is unpacked in the VM (the run script's working directory). */
export const GUEST_PROJECT = '/tandem';
/** The VM's second serial port: what the run script writes there reaches the host as a file. */
export const GUEST_RESULTS_TTY = '/dev/ttyS1';

const INIT = `#!/bin/busybox sh
# tandem test VM: mount the basics, load the IPVS modules, run /vm/run.sh, report, power off.
/bin/busybox --install -s
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
dmesg -n 1
hostname tandem-vm
ip link set lo up
kver=$(cat /etc/tandem-vm/kernel)
while read -r m; do
  insmod "/lib/modules/$kver/$m" || echo "tandem-vm: insmod $m failed"
done < /etc/tandem-vm/modules
stty -F ${GUEST_RESULTS_TTY} raw -echo 2>/dev/null
set -a
. /vm/env
set +a
cd ${GUEST_PROJECT}
echo "${BEGIN_MARKER} $TANDEM_VM_NONCE@@"
sh /vm/run.sh </dev/null
rc=$?
echo "${END_MARKER} $TANDEM_VM_NONCE rc=$rc@@"
poweroff -f
`;

export interface VmImage {
  readonly kernel: string;
  readonly kernelVersion: string;
  /** The cpio layers in order (base, project); the run layer goes after them. */
  readonly layers: readonly string[];
  /** What went into the image, for reports. */
  readonly packages: readonly DebPackage[];
}

export interface ImageOptions {
  /** Default: $TANDEM_VM_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/tandem-vm. */
  readonly cacheDir?: string;
  /** The repository (with build/ compiled); default: the one this file was built in. */
  readonly repo?: string;
  /** Progress lines (downloads, layer builds). */
  readonly log?: (line: string) => void;
}

export function defaultCacheDir(): string {
  const env = process.env.TANDEM_VM_CACHE;
  if (env !== undefined && env !== '') return env;
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.cache'), 'tandem-vm');
}

/** Fetch what is missing and build the layers that are out of date. */
export function prepareVmImage(opts: ImageOptions = {}): VmImage {
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const repo = opts.repo ?? REPO;
  const log = opts.log ?? (() => undefined);
  mkdirSync(join(cacheDir, 'images'), { recursive: true });

  // One apt-cache call resolves every name (the kernel's metapackage too).
  resolveCandidates(cacheDir, [...USER_PACKAGES, KERNEL_METAPACKAGE]);
  const kernelPkg = fetchKernel(cacheDir);
  const userPkgs = fetchPackages(cacheDir, USER_PACKAGES);
  const packages = [kernelPkg, ...userPkgs];
  const { kernelVersion } = kernelPkg;
  const kernel = join(kernelPkg.root, 'boot', `vmlinuz-${kernelVersion}`);
  if (!existsSync(kernel)) throw new Error(`${kernelPkg.name} has no ${kernel}`);

  const modules = moduleLoadOrder(kernelPkg.root, kernelVersion);
  const nodeLibs = sharedLibraries(process.execPath);
  const node = statSync(process.execPath);
  const baseKey = hashOf([
    LAYOUT_VERSION,
    INIT,
    packages.map((p) => `${p.name}=${p.version}`),
    modules,
    [process.execPath, process.version, node.size, node.mtimeMs],
    nodeLibs,
  ]);
  const base = layer(cacheDir, 'base', baseKey, log, (w) => {
    writeBase(w, { kernelPkg, userPkgs, modules, nodeLibs });
  });

  const files = projectFiles(repo);
  const nativeLibs = files
    .filter((f) => f.archive.endsWith('.node'))
    .flatMap((f) => sharedLibraries(f.source));
  const projectKey = hashOf([LAYOUT_VERSION, fileDigest(files), nativeLibs]);
  const project = layer(cacheDir, 'project', projectKey, log, (w) => {
    for (const f of files) {
      if (f.link !== undefined) w.symlink(f.archive, f.link);
      else w.file(f.archive, f.source);
    }
    for (const lib of nativeLibs) w.file(lib, lib);
  });
  return { kernel, kernelVersion, layers: [base, project], packages };
}

function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

/** The cached layer `kind-key.cpio`, built by `fill` when missing; older ones pruned. */
function layer(
  cacheDir: string,
  kind: string,
  key: string,
  log: (line: string) => void,
  fill: (w: CpioWriter) => void,
): string {
  const dir = join(cacheDir, 'images');
  const path = join(dir, `${kind}-${key}.cpio`);
  if (existsSync(path)) return path;
  const started = Date.now();
  const tmp = `${path}.${process.pid}.tmp`;
  const w = new CpioWriter(tmp);
  try {
    fill(w);
    w.finish();
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  log(
    `built ${kind} layer ${basename(path)} (${mb(statSync(path).size)}) in ${Date.now() - started} ms`,
  );
  const old = readdirSync(dir)
    .filter((f) => f.startsWith(`${kind}-`) && f.endsWith('.cpio'))
    .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t)
    .slice(KEEP_LAYERS);
  for (const { f } of old) rmSync(join(dir, f), { force: true });
  return path;
}

function mb(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MB`;
}

/** Absolute paths of the shared libraries `ldd` lists for a binary (the loader included). */
export function sharedLibraries(binary: string): string[] {
  const r = spawnSync('ldd', [binary], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ldd ${binary}: ${r.stderr.trim() || r.stdout.trim()}`);
  const libs: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    if (m?.[1] !== undefined) libs.push(m[1]);
  }
  return libs;
}

// --- kernel modules ---

function modulesDir(root: string, version: string): string {
  for (const sub of ['lib/modules', 'usr/lib/modules']) {
    const dir = join(root, sub, version);
    if (existsSync(dir)) return dir;
  }
  throw new Error(`no modules for ${version} under ${root}`);
}

const moduleName = (rel: string): string =>
  basename(rel)
    .replace(/\.ko(\.(xz|gz|zst))?$/, '')
    .replace(/-/g, '_');

/**
 * Module files (relative to the modules folder) in an order insmod can load them: every
 * module after its dependencies (modules.dep, made with `depmod -b` if the package has none).
 */
export function moduleLoadOrder(root: string, version: string): string[] {
  const dir = modulesDir(root, version);
  const depFile = join(dir, 'modules.dep');
  if (!existsSync(depFile)) {
    const base = dir.startsWith(join(root, 'usr')) ? join(root, 'usr') : root;
    const depmod = ['/usr/sbin/depmod', '/sbin/depmod'].find((p) => existsSync(p)) ?? 'depmod';
    const r = spawnSync(depmod, ['-b', base, version], { encoding: 'utf8' });
    if (r.status !== 0) {
      throw new Error(`depmod -b ${base} ${version}: ${r.error?.message ?? r.stderr.trim()}`);
    }
  }
  const deps = new Map<string, string[]>();
  const byName = new Map<string, string>();
  for (const line of readFileSync(depFile, 'utf8').split('\n')) {
    const [mod, rest] = line.split(':');
    if (mod === undefined || rest === undefined) continue;
    deps.set(mod, rest.trim() === '' ? [] : rest.trim().split(/\s+/));
    byName.set(moduleName(mod), mod);
  }
  const wanted: string[] = [];
  for (const name of REQUIRED_MODULES) {
    const rel = byName.get(name);
    if (rel === undefined) throw new Error(`kernel ${version} has no module ${name}`);
    wanted.push(rel);
  }
  for (const name of OPTIONAL_MODULES) {
    const rel = byName.get(name);
    if (rel !== undefined) wanted.push(rel);
  }
  wanted.push(...[...deps.keys()].filter((m) => m.startsWith(IPVS_MODULE_DIR)).sort());
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (mod: string): void => {
    if (seen.has(mod)) return;
    seen.add(mod);
    for (const d of deps.get(mod) ?? []) visit(d);
    order.push(mod);
  };
  for (const m of wanted) visit(m);
  return order;
}

// --- the base layer ---

interface BaseInputs {
  readonly kernelPkg: DebPackage & { readonly kernelVersion: string };
  readonly userPkgs: readonly DebPackage[];
  readonly modules: readonly string[];
  readonly nodeLibs: readonly string[];
}

function writeBase(w: CpioWriter, inputs: BaseInputs): void {
  const { kernelPkg, userPkgs, modules, nodeLibs } = inputs;
  const version = kernelPkg.kernelVersion;
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'proc', 'sys', 'dev', 'run', 'etc']) {
    w.dir(d);
  }
  w.dir('tmp', 0o1777);
  w.dir('var/tmp', 0o1777);
  w.dir('root', 0o700);
  w.charDevice('dev/console', 5, 1, 0o600);
  w.charDevice('dev/null', 1, 3, 0o666);
  w.data('init', INIT, 0o755);

  const pkg = (name: string): DebPackage => {
    const p = userPkgs.find((u) => u.name === name);
    if (p === undefined) throw new Error(`package ${name} missing`);
    return p;
  };
  w.file('bin/busybox', join(pkg('busybox-static').root, 'bin', 'busybox'), 0o755);
  w.file('sbin/ipvsadm', join(pkg('ipvsadm').root, 'sbin', 'ipvsadm'), 0o755);
  for (const name of ['libnl-3-200', 'libnl-genl-3-200', 'libpopt0']) {
    copyLibraries(w, pkg(name).root);
  }

  w.file('usr/bin/node', process.execPath, 0o755);
  for (const lib of nodeLibs) w.file(lib, lib);

  const modDir = modulesDir(kernelPkg.root, version);
  for (const m of modules) w.file(`lib/modules/${version}/${m}`, join(modDir, m), 0o644);
  w.data('etc/tandem-vm/modules', modules.map((m) => `${m}\n`).join(''));
  w.data('etc/tandem-vm/kernel', `${version}\n`);

  w.data('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n');
  w.data('etc/group', 'root:x:0:\nnogroup:x:65534:\n');
  w.data('etc/hosts', '127.0.0.1 localhost tandem-vm\n::1 localhost ip6-localhost\n');
  w.data('etc/nsswitch.conf', 'passwd: files\ngroup: files\nhosts: files\nservices: files\n');
  for (const f of ['etc/services', 'etc/protocols']) {
    if (existsSync(`/${f}`)) w.file(f, `/${f}`, 0o644);
  }
}

/** A package's shared libraries (files and their soname links) from its lib folders. */
function copyLibraries(w: CpioWriter, root: string): void {
  for (const sub of ['lib/x86_64-linux-gnu', 'usr/lib/x86_64-linux-gnu']) {
    const dir = join(root, sub);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (!f.includes('.so')) continue;
      const src = join(dir, f);
      if (lstatSync(src).isSymbolicLink()) w.symlink(`${sub}/${f}`, readlinkSync(src));
      else if (lstatSync(src).isFile()) w.file(`${sub}/${f}`, src);
    }
  }
}

// --- the project layer ---

interface ProjectFile {
  /** Path in the archive. */
  readonly archive: string;
  readonly source: string;
  /** A symlink's target (then `source` is the link). */
  readonly link?: string;
}

function walk(root: string, dir: string, into: ProjectFile[], skip: (rel: string) => boolean) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir).sort()) {
    const source = join(dir, entry);
    const rel = relative(root, source);
    if (skip(rel)) continue;
    const st = lstatSync(source);
    const archive = `${GUEST_PROJECT.slice(1)}/${rel}`;
    if (st.isDirectory()) walk(root, source, into, skip);
    else if (st.isSymbolicLink()) into.push({ archive, source, link: readlinkSync(source) });
    else if (st.isFile()) into.push({ archive, source });
  }
}

/** Folders of the runtime dependencies (package.json `dependencies`, recursively). */
function runtimePackages(repo: string): string[] {
  const dirs: string[] = [];
  const seen = new Set<string>();
  const visit = (fromDir: string, name: string, optional: boolean): void => {
    const candidates = [join(fromDir, 'node_modules', name), join(repo, 'node_modules', name)];
    const dir = candidates.find((c) => existsSync(join(c, 'package.json')));
    if (dir === undefined) {
      if (optional) return;
      throw new Error(`runtime dependency ${name} is not installed (npm ci?)`);
    }
    if (seen.has(dir)) return;
    seen.add(dir);
    dirs.push(dir);
    const pj = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const dep of Object.keys(pj.dependencies ?? {})) visit(dir, dep, false);
    for (const dep of Object.keys(pj.optionalDependencies ?? {})) visit(dir, dep, true);
  };
  const root = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  for (const dep of Object.keys(root.dependencies ?? {})) visit(repo, dep, false);
  return dirs.sort();
}

/** Everything the project layer holds, in archive order. */
export function projectFiles(repo: string): ProjectFile[] {
  if (!existsSync(join(repo, 'build', 'src'))) {
    throw new Error(`${repo}/build/src is missing: run npm run build first`);
  }
  const files: ProjectFile[] = [
    { archive: `${GUEST_PROJECT.slice(1)}/package.json`, source: join(repo, 'package.json') },
  ];
  const none = () => false;
  walk(repo, join(repo, 'build', 'src'), files, none);
  walk(repo, join(repo, 'build', 'test'), files, none);
  walk(repo, join(repo, 'test', 'fixtures'), files, none);
  for (const dir of runtimePackages(repo)) {
    // A package's own node_modules holds nested dependencies, which the walk visits too.
    const rel = relative(repo, dir);
    files.push(...packageFiles(repo, dir, rel));
  }
  return files;
}

function packageFiles(repo: string, dir: string, rel: string): ProjectFile[] {
  const out: ProjectFile[] = [];
  walk(repo, dir, out, (r) =>
    r
      .slice(rel.length + 1)
      .split('/')
      .includes('.bin'),
  );
  return out;
}

/** A digest of the files' names, kinds and contents. */
function fileDigest(files: readonly ProjectFile[]): string {
  const h = createHash('sha256');
  for (const f of files) {
    h.update(`${f.archive}\0`);
    if (f.link !== undefined) h.update(`->${f.link}\0`);
    else h.update(readFileSync(f.source));
  }
  return h.digest('hex');
}
