// How the plane talks to nftables: libnftables in-process when it loads (one call per
// transaction, well under a millisecond), else the `nft` command (`nft -f -`, a process per
// transaction, ≈7 ms here). Tests run the command inside a network namespace by giving an argv
// prefix (`ip netns exec NS nft`). Both are synchronous: the plane's sync() must have applied
// a change when it returns, and a transaction is short.

import { spawnSync } from 'node:child_process';
import { openLibnftables, type NftCallResult } from '../../sys/nftables.js';

export type { NftCallResult } from '../../sys/nftables.js';

export interface NftRunner {
  readonly name: 'libnftables' | 'nft';
  /** Runs a script as one transaction. */
  apply(script: string): NftCallResult;
  /** A command with JSON output (`list counters table netdev x`). */
  json(command: string): NftCallResult;
  close(): void;
}

/** The `nft` command (argv: the command and any prefix, e.g. `['ip','netns','exec',ns,'nft']`). */
export function commandRunner(argv: readonly string[] = ['nft']): NftRunner {
  const [file, ...prefix] = argv;
  const run = (args: string[], input?: string): NftCallResult => {
    const r = spawnSync(file ?? 'nft', [...prefix, ...args], {
      encoding: 'utf8',
      timeout: 30_000,
      maxBuffer: 256 * 1024 * 1024,
      ...(input === undefined ? {} : { input }),
    });
    if (r.error !== undefined) return { ok: false, error: r.error.message };
    if (r.status !== 0) return { ok: false, error: r.stderr.trim() || `exit ${r.status}` };
    return { ok: true, output: r.stdout };
  };
  return {
    name: 'nft',
    apply: (script) => run(['-f', '-'], script),
    json: (command) => run(['-j', ...command.split(' ')]),
    close: () => undefined,
  };
}

/** libnftables when it loads, otherwise the `nft` command. */
export function defaultRunner(): NftRunner {
  const lib = openLibnftables();
  if (lib === null) return commandRunner();
  return {
    name: 'libnftables',
    apply: (s) => lib.run(s),
    json: (c) => lib.json(c),
    close: () => lib.close(),
  };
}

/** Whether nftables answers at all (privileges, kernel support): `list tables` succeeds. */
export function nftUsable(runner: NftRunner): boolean {
  return runner.json('list tables').ok;
}
