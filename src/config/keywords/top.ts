// The top level of keepalived.conf (reference §1.2): which blocks exist, and the drafts they
// produce. Objects are finished after the whole file is read (compile.ts), because global_defs
// may come after the instances and servers whose defaults it sets.

import type { IpAddressSpec, RouteSpec, SslConfig } from '../model.js';
import type { Statement } from '../parser.js';
import {
  applyBlock,
  blockKeyword,
  canContain,
  keyword,
  registerBlock,
  unsupported,
  allBlocks,
  type BlockSpec,
} from '../schema.js';
import type { Note } from '../diagnostics.js';
import { staticIpaddressBlock, staticRoutesBlock, staticRulesBlock } from './addresses.js';
import { builders } from './common.js';
import { globalDefs, type GlobalDraft } from './global.js';
import { syncGroupBlock, type SyncGroupDraft } from './sync-group.js';
import {
  trackFileBlock,
  vrrpScriptBlock,
  type ScriptDraft,
  type TrackFileDraft,
} from './tracking.js';
import { virtualServerBlock, type VirtualServerDraft } from './virtual-server.js';
import { virtualServerGroupBlock, type VsgDraft } from './virtual-server-group.js';
import { vrrpInstanceBlock, type InstanceDraft } from './vrrp-instance.js';

export interface Pending<D> {
  readonly draft: D;
  readonly st: Statement;
}

export interface TopDraft {
  readonly global: GlobalDraft;
  readonly staticIpaddress: IpAddressSpec[];
  readonly staticRoutes: RouteSpec[];
  readonly staticRules: RouteSpec[];
  readonly vrrpScripts: Pending<ScriptDraft>[];
  readonly trackFiles: Pending<TrackFileDraft>[];
  readonly syncGroups: Pending<SyncGroupDraft>[];
  readonly instances: Pending<InstanceDraft>[];
  readonly vsgs: Pending<VsgDraft>[];
  readonly virtualServers: Pending<VirtualServerDraft>[];
  ssl?: SslConfig;
}

type Ssl = { -readonly [K in keyof SslConfig]?: SslConfig[K] };
const s = builders<Ssl>();
const sslBlock: BlockSpec<Ssl> = registerBlock<Ssl>({
  name: 'SSL',
  doc: 'TLS material for SSL_GET checkers (client certificate and CA).',
  newDraft: () => ({}),
  keywords: [
    s.text('password', 'PASSWORD', 'Password of the private key.', (d, v) => (d.password = v)),
    s.text('ca', 'PATH', 'CA certificate file.', (d, v) => (d.ca = v)),
    s.text('certificate', 'PATH', 'Client certificate file.', (d, v) => (d.certificate = v)),
    s.text('key', 'PATH', 'Client private key file.', (d, v) => (d.key = v)),
  ],
});

function pending<D>(
  name: string,
  syntax: string,
  doc: string,
  child: BlockSpec<D>,
  list: (t: TopDraft) => Pending<D>[],
  aliases: { name: string; message?: string; severity?: 'note' | 'warning' }[] = [],
) {
  return blockKeyword<TopDraft, D>({
    name,
    syntax,
    doc,
    child,
    aliases,
    finish: (t, draft, st) => list(t).push({ draft, st }),
  });
}

export const topLevel: BlockSpec<TopDraft> = registerBlock<TopDraft>({
  name: 'top level',
  doc: 'The blocks of keepalived.conf.',
  newDraft: () => ({
    global: globalDefs.newDraft(),
    staticIpaddress: [],
    staticRoutes: [],
    staticRules: [],
    vrrpScripts: [],
    trackFiles: [],
    syncGroups: [],
    instances: [],
    vsgs: [],
    virtualServers: [],
  }),
  keywords: [
    keyword<TopDraft>({
      name: 'global_defs',
      syntax: '{ ... }',
      doc: globalDefs.doc,
      child: globalDefs as BlockSpec<unknown>,
      apply: (t, st, cx) =>
        applyBlock(globalDefs, t.global, st.block?.body ?? [], cx, { owner: st }),
    }),
    blockKeyword<TopDraft, { items: IpAddressSpec[] }>({
      name: 'static_ipaddress',
      syntax: '{ IP[/LEN] [options] ... }',
      doc: staticIpaddressBlock.doc,
      child: staticIpaddressBlock,
      finish: (t, c) => t.staticIpaddress.push(...c.items),
    }),
    blockKeyword<TopDraft, { items: RouteSpec[] }>({
      name: 'static_routes',
      syntax: '{ ROUTE ... }',
      doc: staticRoutesBlock.doc,
      child: staticRoutesBlock,
      finish: (t, c) => t.staticRoutes.push(...c.items),
    }),
    blockKeyword<TopDraft, { items: RouteSpec[] }>({
      name: 'static_rules',
      syntax: '{ RULE ... }',
      doc: staticRulesBlock.doc,
      child: staticRulesBlock,
      finish: (t, c) => t.staticRules.push(...c.items),
    }),
    pending(
      'vrrp_script',
      'NAME { ... }',
      vrrpScriptBlock.doc,
      vrrpScriptBlock,
      (t) => t.vrrpScripts,
    ),
    pending('track_file', 'NAME { ... }', trackFileBlock.doc, trackFileBlock, (t) => t.trackFiles, [
      {
        name: 'vrrp_track_file',
        message: "'vrrp_track_file' is deprecated: use 'track_file'",
        severity: 'note',
      },
    ]),
    pending(
      'vrrp_sync_group',
      'NAME { ... }',
      syncGroupBlock.doc,
      syncGroupBlock,
      (t) => t.syncGroups,
    ),
    pending(
      'vrrp_instance',
      'NAME { ... }',
      vrrpInstanceBlock.doc,
      vrrpInstanceBlock,
      (t) => t.instances,
    ),
    pending(
      'virtual_server_group',
      'NAME { ... }',
      virtualServerGroupBlock.doc,
      virtualServerGroupBlock,
      (t) => t.vsgs,
    ),
    pending(
      'virtual_server',
      'IP [PORT] | fwmark N | group NAME { ... }',
      virtualServerBlock.doc,
      virtualServerBlock,
      (t) => t.virtualServers,
    ),
    blockKeyword<TopDraft, Ssl>({
      name: 'SSL',
      syntax: '{ ... }',
      doc: sslBlock.doc,
      child: sslBlock,
      finish: (t, c) => (t.ssl = c),
    }),
    ...[
      'linkbeat_interfaces',
      'interface_up_down_delays',
      'track_group',
      'vrrp_track_process',
      'bfd_instance',
      'garp_group',
    ].map((n) =>
      unsupported<TopDraft>(n, '{ ... }', 'keepalived block not implemented by tandem.', true),
    ),
    ...[
      'net_namespace',
      'net_namespace_ipvs',
      'namespace_with_ipsets',
      'instance',
      'use_pid_dir',
      'linkbeat_use_polling',
      'child_wait_time',
    ].map((n) =>
      unsupported<TopDraft>(n, '[VALUE]', 'keepalived process option not implemented by tandem.'),
    ),
  ],
});

/**
 * For a keyword found at the top level that belongs inside a block: if the top-level block
 * just before it could have contained it, point at the `}` that closed that block, which is
 * the usual mistake (one `}` too many, as in the seed documents).
 */
export function misplacedHint(body: readonly Statement[]) {
  return (st: Statement, homes: readonly string[]): Note | undefined => {
    const index = body.indexOf(st);
    for (let i = index - 1; i >= 0; i--) {
      const prev = body[i];
      if (prev?.block === undefined || prev.anonymous) continue;
      // Skip blocks that are themselves misplaced (the seed's second stray real_server).
      if (!topLevel.keywords.some((k) => k.name === prev.keyword.text)) continue;
      const spec = allBlocks().find((b) => b.name === prev.keyword.text);
      const fits = spec !== undefined && homes.some((h) => h === spec.name || canContain(spec, h));
      if (!fits || prev.block.close === undefined) return undefined;
      return {
        at: prev.block.close,
        message: `the '${prev.keyword.text}' block opened at line ${prev.keyword.at.line} was closed by this '}'; everything after it is outside that block (is this '}' one too many?)`,
      };
    }
    return undefined;
  };
}
