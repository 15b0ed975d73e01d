// The configuration compiler's entry point: read (with includes and preprocessing), parse the
// block tree, apply the keyword tables, finish every object with its defaults, validate across
// objects. Always returns a model (possibly partial) and every diagnostic; never throws on
// user input. `ok` is false when any diagnostic is an error.

import { hostname as osHostname, userInfo } from 'node:os';
import { nodeFs, type ConfigFs } from './config-fs.js';
import { DiagnosticSink, sortDiagnostics, type Diagnostic } from './diagnostics.js';
import { finishGlobal } from './keywords/global.js';
import { finishSyncGroup } from './keywords/sync-group.js';
import { misplacedHint, topLevel } from './keywords/top.js';
import { finishScript, finishTrackFile } from './keywords/tracking.js';
import { finishVirtualServer } from './keywords/virtual-server.js';
import { finishInstance } from './keywords/vrrp-instance.js';
import type { Config, VirtualServerGroup } from './model.js';
import { parseBlocks } from './parser.js';
import { readConfig } from './reader.js';
import { applyBlock, type Cx } from './schema.js';
import { validate } from './validate.js';
import { pos } from './values.js';

export interface CompileOptions {
  readonly fs?: ConfigFs;
  /** For @ID conditional lines (keepalived's -i); default: host name up to the first dot. */
  readonly configId?: string;
  /** Default of router_id and smtp_helo_name. */
  readonly hostname?: string;
  /** Default user part of notification_email_from. */
  readonly user?: string;
  /** Interfaces on this host, to warn about absent ones; undefined: no check. */
  readonly interfaces?: ReadonlySet<string>;
  readonly random?: () => number;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface CompileResult {
  readonly ok: boolean;
  readonly config: Config;
  readonly diagnostics: readonly Diagnostic[];
  readonly files: readonly string[];
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'root';
  }
}

export function compileConfig(path: string, opts: CompileOptions = {}): CompileResult {
  const sink = new DiagnosticSink();
  const hostname = opts.hostname ?? osHostname();
  const read = readConfig(path, {
    fs: opts.fs ?? nodeFs,
    sink,
    configId: opts.configId ?? hostname.split('.')[0] ?? hostname,
    random: opts.random ?? Math.random,
    env: opts.env ?? process.env,
  });

  const tree = parseBlocks(read.tokens, sink);
  const cx: Cx = { sink, hostname, interfaces: opts.interfaces };
  const top = topLevel.newDraft();
  applyBlock(topLevel, top, tree.body, cx, { misplacedHint: misplacedHint(tree.body) });

  const global = finishGlobal(top.global, { hostname, user: opts.user ?? safeUser() });
  const vsgs: VirtualServerGroup[] = top.vsgs.flatMap(({ draft, st }) => {
    const name = st.args[0]?.text;
    if (name === undefined) {
      sink.error('CFG_MISSING_ARGUMENT', st.keyword.at, "'virtual_server_group' needs a name");
      return [];
    }
    return [{ at: pos(st.keyword.at), name, members: draft.members }];
  });
  const config: Config = {
    global,
    staticIpaddress: top.staticIpaddress,
    staticRoutes: top.staticRoutes,
    staticRules: top.staticRules,
    vrrpScripts: top.vrrpScripts.flatMap(({ draft, st }) => finishScript(draft, st, cx) ?? []),
    trackFiles: top.trackFiles.flatMap(({ draft, st }) => finishTrackFile(draft, st, cx) ?? []),
    vrrpSyncGroups: top.syncGroups.flatMap(
      ({ draft, st }) =>
        finishSyncGroup(draft, st, global.smtpAlertVrrp ?? global.smtpAlert ?? false, cx) ?? [],
    ),
    vrrpInstances: top.instances.flatMap(
      ({ draft, st }) => finishInstance(draft, st, global, cx) ?? [],
    ),
    ...(top.ssl === undefined ? {} : { ssl: top.ssl }),
    virtualServerGroups: vsgs,
    virtualServers: top.virtualServers.flatMap(
      ({ draft, st }) => finishVirtualServer(draft, st, global, vsgs, cx) ?? [],
    ),
  };
  const validated = read.mainRead
    ? validate(config, { sink, interfaces: opts.interfaces, sources: read.sources })
    : config;
  return {
    ok: sink.errorCount === 0,
    config: validated,
    diagnostics: sortDiagnostics(sink.items),
    files: read.files,
  };
}
