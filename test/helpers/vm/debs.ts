// Debian packages for the test VM, fetched with `apt-get download` (no root needed) and
// unpacked with `dpkg-deb -x` into the cache, one folder per package version. Versions are
// the candidates `apt-cache` offers here; the kernel is whatever image the
// linux-image-cloud-amd64 metapackage currently depends on. Without usable package lists
// (offline, no `apt-get update` yet) the newest version already in the cache is used.

import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/** The metapackage that names the current Debian cloud kernel (it has the ip_vs modules). */
export const KERNEL_METAPACKAGE = 'linux-image-cloud-amd64';

export interface DebPackage {
  readonly name: string;
  readonly version: string;
  /** Where the package's files were unpacked. */
  readonly root: string;
}

function run(cmd: string, args: readonly string[], cwd?: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.error !== undefined) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  }
  return r.stdout;
}

/** How long a resolution of candidate versions is reused (apt-cache takes about 1 s a call). */
const RESOLVE_TTL_MS = 6 * 3600_000;

type Fields = Readonly<Record<string, string>>;

/**
 * The candidate stanzas (`apt-cache show --no-all-versions`) of `names`, in one call, reused
 * from the cache for a few hours. Packages apt does not know are absent from the result.
 */
export function resolveCandidates(cacheDir: string, names: readonly string[]): Map<string, Fields> {
  const file = join(cacheDir, 'resolved.json');
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as {
      time: number;
      names: string[];
      fields: Record<string, Fields>;
    };
    if (Date.now() - saved.time < RESOLVE_TTL_MS && names.every((n) => saved.names.includes(n))) {
      return new Map(Object.entries(saved.fields));
    }
  } catch {
    // none saved yet, or unreadable: ask apt
  }
  const r = spawnSync('apt-cache', ['show', '--no-all-versions', ...names], {
    encoding: 'utf8',
    maxBuffer: 16 << 20,
  });
  const found = new Map<string, Fields>();
  if (r.error !== undefined) return found;
  for (const stanza of r.stdout.split(/\n\s*\n/)) {
    const fields: Record<string, string> = {};
    for (const line of stanza.split('\n')) {
      const m = /^([A-Za-z-]+): (.*)$/.exec(line);
      if (m?.[1] !== undefined && m[2] !== undefined) fields[m[1]] ??= m[2];
    }
    const name = fields.Package;
    if (name !== undefined && !found.has(name)) found.set(name, fields);
  }
  if (names.every((n) => found.has(n))) {
    mkdirSync(cacheDir, { recursive: true });
    const saved = { time: Date.now(), names, fields: Object.fromEntries(found) };
    writeFileSync(`${file}.${process.pid}`, JSON.stringify(saved));
    renameSync(`${file}.${process.pid}`, file);
  }
  return found;
}

/** `pkgs/NAME_VERSION`, the epoch's colon written %3a as in .deb file names. */
function pkgDir(cacheDir: string, name: string, version: string): string {
  return join(cacheDir, 'pkgs', `${name}_${version.replace(/:/g, '%3a')}`);
}

/** The newest complete unpacked version of `name` in the cache. */
function cached(cacheDir: string, name: string | RegExp): DebPackage | undefined {
  const dir = join(cacheDir, 'pkgs');
  if (!existsSync(dir)) return undefined;
  const found = readdirSync(dir)
    .map((entry) => {
      const cut = entry.lastIndexOf('_');
      const version = entry.slice(cut + 1).replace(/%3a/g, ':');
      return { entry, name: entry.slice(0, cut), version };
    })
    .filter((e) => (typeof name === 'string' ? e.name === name : name.test(e.name)))
    .filter((e) => existsSync(join(dir, e.entry, '.complete')))
    .sort((a, b) => statSync(join(dir, b.entry)).mtimeMs - statSync(join(dir, a.entry)).mtimeMs);
  const e = found[0];
  return e === undefined
    ? undefined
    : { name: e.name, version: e.version, root: join(dir, e.entry) };
}

/** Download and unpack `name` at `version` unless the cache has it already. */
function fetchVersion(cacheDir: string, name: string, version: string): DebPackage {
  const root = pkgDir(cacheDir, name, version);
  if (existsSync(join(root, '.complete'))) return { name, version, root };
  const debs = join(cacheDir, 'debs');
  mkdirSync(debs, { recursive: true });
  const before = new Set(readdirSync(debs));
  // As root apt drops to the _apt user for downloads, which cannot write to a home folder.
  const sandbox = process.getuid?.() === 0 ? ['-o', 'APT::Sandbox::User=root'] : [];
  run('apt-get', ['download', '-q', ...sandbox, `${name}=${version}`], debs);
  const deb = readdirSync(debs).find(
    (f) => f.startsWith(`${name}_`) && f.endsWith('.deb') && !before.has(f),
  );
  const file = deb ?? readdirSync(debs).find((f) => f.startsWith(`${name}_`));
  if (file === undefined) throw new Error(`apt-get download ${name} left no .deb`);
  mkdirSync(join(cacheDir, 'pkgs'), { recursive: true });
  const tmp = mkdtempSync(join(cacheDir, 'pkgs', `.${name}-`));
  try {
    run('dpkg-deb', ['-x', join(debs, file), tmp]);
    writeFileSync(join(tmp, '.complete'), `${name} ${version}\n`);
    rmSync(root, { recursive: true, force: true });
    renameSync(tmp, root);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  rmSync(join(debs, file), { force: true });
  return { name, version, root };
}

/** Debian packages by name at their candidate versions, fetched and unpacked as needed. */
export function fetchPackages(cacheDir: string, names: readonly string[]): DebPackage[] {
  const found = resolveCandidates(cacheDir, names);
  return names.map((name) => {
    const version = found.get(name)?.Version;
    if (version !== undefined) return fetchVersion(cacheDir, name, version);
    const have = cached(cacheDir, name);
    if (have !== undefined) return have;
    throw new Error(`apt-cache knows no package ${name} (run apt-get update?)`);
  });
}

/** The kernel image package the cloud metapackage depends on, fetched and unpacked. */
export function fetchKernel(cacheDir: string): DebPackage & { readonly kernelVersion: string } {
  const meta = resolveCandidates(cacheDir, [KERNEL_METAPACKAGE]).get(KERNEL_METAPACKAGE);
  const dep = /(linux-image-[^\s,(]+)\s*\(=\s*([^)\s]+)\)/.exec(meta?.Depends ?? '');
  let pkg: DebPackage | undefined;
  if (dep?.[1] !== undefined && dep[2] !== undefined) {
    pkg = fetchVersion(cacheDir, dep[1], dep[2]);
  } else {
    pkg = cached(cacheDir, /^linux-image-.*-cloud-amd64$/);
    if (pkg === undefined) {
      throw new Error(`apt-cache knows no ${KERNEL_METAPACKAGE} (run apt-get update?)`);
    }
  }
  return { ...pkg, kernelVersion: pkg.name.replace(/^linux-image-/, '') };
}
