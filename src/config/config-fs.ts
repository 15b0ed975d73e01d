// The only I/O of the config layer: reading files and listing folders for `include`. Injected so
// that tests and the fuzzer can compile in-memory configs, and the daemon the real filesystem.

import { readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';

export interface ConfigFs {
  /** File contents as UTF-8; throws (with an errno code) when unreadable. */
  readFile(path: string): string;
  /** Entry names of a folder; throws when unreadable. */
  readdir(path: string): string[];
  kind(path: string): 'file' | 'dir' | undefined;
  /** Canonical path, used to detect include cycles; the input when it cannot be resolved. */
  realpath(path: string): string;
}

export const nodeFs: ConfigFs = {
  readFile: (path) => readFileSync(path, 'utf8'),
  readdir: (path) => readdirSync(path),
  kind: (path) => {
    try {
      const st = statSync(path);
      return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : undefined;
    } catch {
      return undefined;
    }
  },
  realpath: (path) => {
    try {
      return realpathSync(path);
    } catch {
      return path;
    }
  },
};

/** An in-memory filesystem: absolute paths to contents. Folders are implied by the paths. */
export function memoryFs(files: Readonly<Record<string, string>>): ConfigFs {
  const dirs = new Set<string>();
  for (const p of Object.keys(files)) {
    for (let i = p.lastIndexOf('/'); i > 0; i = p.lastIndexOf('/', i - 1)) dirs.add(p.slice(0, i));
    dirs.add('/');
  }
  const enoent = (path: string): Error =>
    Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), {
      code: 'ENOENT',
    });
  return {
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) throw enoent(path);
      return text;
    },
    readdir: (path) => {
      if (!dirs.has(path)) throw enoent(path);
      const prefix = path === '/' ? '/' : `${path}/`;
      const names = new Set<string>();
      for (const p of [...Object.keys(files), ...dirs]) {
        if (p.startsWith(prefix) && p.length > prefix.length) {
          names.add(p.slice(prefix.length).split('/')[0] ?? '');
        }
      }
      return [...names];
    },
    kind: (path) => (files[path] !== undefined ? 'file' : dirs.has(path) ? 'dir' : undefined),
    realpath: (path) => path,
  };
}
