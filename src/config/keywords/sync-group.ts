// vrrp_sync_group (keepalived.conf(5); reference §1.6): instances that change state together.

import type { VrrpSyncGroup } from '../model.js';
import type { Statement } from '../parser.js';
import {
  blockKeyword,
  ignored,
  registerBlock,
  unsupported,
  type BlockSpec,
  type Cx,
} from '../schema.js';
import { pos } from '../values.js';
import { builders, compact, type Draft } from './common.js';
import { notifyKeywords } from './notify.js';
import { trackFileListBlock, trackInterfaceBlock, trackScriptBlock } from './tracking.js';

export type SyncGroupDraft = Draft<VrrpSyncGroup>;
const b = builders<SyncGroupDraft>();

const groupList: BlockSpec<{ items: string[] }> = registerBlock<{ items: string[] }>({
  name: 'group',
  doc: 'The member vrrp_instance names (an instance may belong to one group only).',
  keywords: [],
  newDraft: () => ({ items: [] }),
  item: {
    syntax: 'INSTANCE ...',
    apply: (d, st) => {
      for (const w of [st.keyword, ...st.args]) d.items.push(w.text);
    },
  },
});

export const syncGroupBlock: BlockSpec<SyncGroupDraft> = registerBlock<SyncGroupDraft>({
  name: 'vrrp_sync_group',
  doc: 'VRRP instances that are MASTER together or not at all.',
  newDraft: () => ({}),
  keywords: [
    blockKeyword<SyncGroupDraft, { items: string[] }>({
      name: 'group',
      syntax: '{ INSTANCE ... }',
      doc: 'Member instances.',
      child: groupList,
      finish: (d, c) => (d.group = [...(d.group ?? []), ...c.items]),
    }),
    blockKeyword<SyncGroupDraft, { items: VrrpSyncGroup['trackInterface'][number][] }>({
      name: 'track_interface',
      syntax: '{ INTERFACE [weight W [reverse]] ... }',
      doc: 'Interfaces the whole group follows.',
      child: trackInterfaceBlock,
      finish: (d, c) => (d.trackInterface = [...(d.trackInterface ?? []), ...c.items]),
    }),
    blockKeyword<SyncGroupDraft, { items: VrrpSyncGroup['trackScript'][number][] }>({
      name: 'track_script',
      syntax: '{ SCRIPT [weight W [reverse]] ... }',
      doc: 'Scripts the whole group follows.',
      child: trackScriptBlock,
      finish: (d, c) => (d.trackScript = [...(d.trackScript ?? []), ...c.items]),
    }),
    blockKeyword<SyncGroupDraft, { items: VrrpSyncGroup['trackFile'][number][] }>({
      name: 'track_file',
      syntax: '{ TRACK_FILE [weight W [reverse]] ... }',
      doc: 'Files the whole group follows.',
      child: trackFileListBlock,
      finish: (d, c) => (d.trackFile = [...(d.trackFile ?? []), ...c.items]),
    }),
    unsupported<SyncGroupDraft>('track_process', '{ ... }', 'Follow processes.', true),
    unsupported<SyncGroupDraft>('track_bfd', '{ ... }', 'Follow BFD sessions.', true),
    ...notifyKeywords<SyncGroupDraft>(),
    b.flag('smtp_alert', 'E-mail on group state changes.', (d, v) => (d.smtpAlert = v)),
    b.flag(
      'sync_group_tracking_weight',
      'Allow weighted tracking on member instances.',
      (d, v) => (d.syncGroupTrackingWeight = v),
    ),
    ignored<SyncGroupDraft>(
      'global_tracking',
      '',
      'Deprecated.',
      "'global_tracking' is deprecated: use the group's track_* blocks",
    ),
    unsupported<SyncGroupDraft>('notify_priority_changes', '[on|off]', 'Notify priority changes.'),
  ],
});

export function finishSyncGroup(
  d: SyncGroupDraft,
  st: Statement,
  smtpDefault: boolean,
  cx: Cx,
): VrrpSyncGroup | undefined {
  const name = st.args[0]?.text;
  if (name === undefined) {
    cx.sink.error(
      'CFG_MISSING_ARGUMENT',
      st.keyword.at,
      "'vrrp_sync_group' needs a name: vrrp_sync_group NAME { group { ... } }",
    );
    return undefined;
  }
  const group = d.group ?? [];
  if (group.length === 0) {
    cx.sink.error(
      'CFG_EMPTY',
      st.keyword.at,
      `vrrp_sync_group ${name} has no member instances (group { VI_1 VI_2 })`,
    );
  } else if (group.length === 1) {
    cx.sink.warning(
      'CFG_EMPTY',
      st.keyword.at,
      `vrrp_sync_group ${name} has only 1 virtual router - this probably isn't what you want`,
    );
  }
  return compact<VrrpSyncGroup>({
    ...d,
    at: pos(st.keyword.at),
    name,
    group,
    trackInterface: d.trackInterface ?? [],
    trackScript: d.trackScript ?? [],
    trackFile: d.trackFile ?? [],
    smtpAlert: d.smtpAlert ?? smtpDefault,
    syncGroupTrackingWeight: d.syncGroupTrackingWeight ?? false,
  });
}
