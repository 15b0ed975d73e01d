// `tandem demo`'s command line. A usage error is a value, never an exception.
//   tandem demo [--smoke] [--netns [--dataplane nft|proxy]] [--prefix 127.P.Q] [--run-dir DIR]
//   tandem demo rs stop|start N [--run-dir DIR]
//   tandem demo director stop|start a|b [--run-dir DIR]

import { parseArgs } from 'node:util';
import { parseCommand, type DemoCommand } from './demo-control.js';
import { DEFAULT_PREFIX, isLoopbackPrefix } from './demo-plan.js';

export type DemoArgs =
  | {
      readonly mode: 'run';
      readonly smoke: boolean;
      readonly netns: boolean;
      /** The netns form's data plane (nft: LVS-DR in the kernel, the default). */
      readonly dataplane: 'nft' | 'proxy';
      readonly prefix: string;
      readonly runDir?: string;
    }
  | { readonly mode: 'command'; readonly command: DemoCommand; readonly runDir?: string }
  | { readonly mode: 'help' };

export type ParsedDemoArgs = { ok: true; args: DemoArgs } | { ok: false; message: string };

export const DEMO_USAGE = `Usage: tandem demo [--smoke] [--netns [--dataplane nft|proxy]] [--prefix 127.P.Q] [--run-dir DIR]
       tandem demo rs stop|start N [--run-dir DIR]
       tandem demo director stop|start a|b [--run-dir DIR]

Runs a two-director high-availability cluster on this machine, prints what runs and a short
tour, and keeps running until Ctrl-C, which stops and removes everything it started. No root
needed: two tandem daemons elect a VRRP master over UDP on loopback addresses, the master holds
the virtual server 127.0.0.100:8080 with the proxy data plane, and HTTP_GET checks watch three
demo real servers (Node HTTP, 127.0.0.101-103:8080).

  --smoke          run the tour itself, check every step, stop, and exit 0 when all held
  --netns          (root) the seed documents' network in namespaces instead: 192.168.138.0/24,
                   real VRRP with gratuitous ARP, LVS-DR through the nftables data plane
                   (--dataplane proxy: through the userspace proxy), real servers prepared
                   with 'tandem realserver'; the same tour
  --prefix 127.P.Q the loopback /24 to use (default ${DEFAULT_PREFIX}): directors .11 and .12,
                   VIP .100, real servers .101-.103; another prefix runs a second demo
  --run-dir DIR    the demo's files: configuration and control sockets (default
                   /run/tandem-demo as root, else $XDG_RUNTIME_DIR/tandem-demo or
                   /tmp/tandem-demo-UID)

While it runs, from another terminal:
  tandem demo rs stop 2          stop real server 2 (start 2 brings it back)
  tandem demo director stop a    stop director a, the MASTER (start a brings it back)
`;

const OPTIONS = {
  smoke: { type: 'boolean' },
  netns: { type: 'boolean' },
  dataplane: { type: 'string' },
  prefix: { type: 'string' },
  'run-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseDemoArgs(argv: readonly string[]): ParsedDemoArgs {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: true });
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { ok: true, args: { mode: 'help' } };
  const runDir = values['run-dir'];
  if (runDir !== undefined && !runDir.startsWith('/')) {
    return { ok: false, message: `--run-dir must be an absolute path, not '${runDir}'` };
  }
  const withRunDir = runDir === undefined ? {} : { runDir };
  if (positionals.length > 0) {
    const command = parseCommand(positionals.join(' '));
    if (command === undefined) {
      return {
        ok: false,
        message: `unknown demo command '${positionals.join(' ')}' (rs stop|start N, director stop|start a|b)`,
      };
    }
    if (
      values.smoke === true ||
      values.netns === true ||
      values.prefix !== undefined ||
      values.dataplane !== undefined
    ) {
      return { ok: false, message: 'rs and director commands take only --run-dir' };
    }
    return { ok: true, args: { mode: 'command', command, ...withRunDir } };
  }
  const dataplane = values.dataplane ?? 'nft';
  if (dataplane !== 'nft' && dataplane !== 'proxy') {
    return { ok: false, message: `--dataplane must be nft or proxy, not '${dataplane}'` };
  }
  if (values.dataplane !== undefined && values.netns !== true) {
    return {
      ok: false,
      message: '--dataplane goes with --netns (the loopback demo runs the proxy)',
    };
  }
  if (values.prefix !== undefined && values.netns === true) {
    return {
      ok: false,
      message: '--prefix is for the loopback demo; --netns uses 192.168.138.0/24',
    };
  }
  const prefix = values.prefix ?? DEFAULT_PREFIX;
  if (!isLoopbackPrefix(prefix)) {
    return {
      ok: false,
      message: `--prefix must be a loopback /24 such as 127.0.0, not '${prefix}'`,
    };
  }
  return {
    ok: true,
    args: {
      mode: 'run',
      smoke: values.smoke === true,
      netns: values.netns === true,
      dataplane,
      prefix,
      ...withRunDir,
    },
  };
}
