// Tracking for VRRP (keepalived.conf(5) vrrp_script, track_file, track_interface, track_script;
// reference §1.5, §2.5): the top-level vrrp_script and track_file blocks, and the lists inside
// vrrp_instance and vrrp_sync_group that name what an instance follows and with which weight.

import type {
  TrackedInterface,
  TrackedName,
  TrackFile,
  UnicastPeer,
  VrrpScript,
} from '../model.js';
import type { Statement } from '../parser.js';
import { keyword, registerBlock, type BlockSpec, type Cx } from '../schema.js';
import { arity, integer, ip, script, pos } from '../values.js';
import { builders, compact, type Draft } from './common.js';

// vrrp_script weight is -253..253; tracker lists allow -254..254; a track_file's multiplier
// is any int (keepalived.conf(5)).
const WEIGHT_MIN = -253;
const WEIGHT_MAX = 253;
const LIST_WEIGHT = 254;
const INT_MAX = 2147483647;

/** `weight W [reverse|no_reverse]` starting at index i of a list item's words. */
function weightOf(
  st: Statement,
  cx: Cx,
  from: number,
): { weight?: number; reverse: boolean } | undefined {
  const words = [st.keyword, ...st.args].slice(from);
  let weight: number | undefined;
  let reverse = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === undefined) break;
    if (w.text === 'weight') {
      const v = words[i + 1];
      if (v === undefined) {
        cx.sink.error('CFG_MISSING_ARGUMENT', w.at, "'weight' needs a number from -254 to 254");
        return undefined;
      }
      weight = integer(v, cx, -LIST_WEIGHT, LIST_WEIGHT);
      if (weight === undefined) return undefined;
      i++;
    } else if (w.text === 'reverse') reverse = true;
    else if (w.text === 'no_reverse' || w.text === 'noreverse') reverse = false;
    else {
      cx.sink.error(
        'CFG_INVALID_VALUE',
        w.at,
        `unexpected '${w.text}': expected weight W [reverse]`,
      );
      return undefined;
    }
  }
  return weight === undefined ? { reverse } : { weight, reverse };
}

export interface TrackList<T> {
  readonly items: T[];
}

export const trackInterfaceBlock: BlockSpec<TrackList<TrackedInterface>> = registerBlock<
  TrackList<TrackedInterface>
>({
  name: 'track_interface',
  doc: 'Interfaces whose link state the instance follows: down means FAULT, or a weight.',
  keywords: [],
  newDraft: () => ({ items: [] }),
  item: {
    syntax: 'INTERFACE [weight W [reverse]]',
    apply: (d, st, cx) => {
      const w = weightOf(st, cx, 1);
      if (w !== undefined)
        d.items.push({ name: st.keyword.text, weight: w.weight ?? 0, reverse: w.reverse });
    },
  },
});

function namedTrackBlock(name: string, doc: string): BlockSpec<TrackList<TrackedName>> {
  return registerBlock<TrackList<TrackedName>>({
    name,
    doc,
    keywords: [],
    newDraft: () => ({ items: [] }),
    item: {
      syntax: 'NAME [weight W [reverse]]',
      apply: (d, st, cx) => {
        const w = weightOf(st, cx, 1);
        if (w !== undefined) d.items.push({ name: st.keyword.text, ...w });
      },
    },
  });
}

export const trackScriptBlock = namedTrackBlock(
  'track_script',
  'vrrp_script checks the instance follows.',
);
export const trackFileListBlock = namedTrackBlock(
  'track_file',
  'track_file objects the instance follows.',
);

export const unicastPeerBlock: BlockSpec<TrackList<UnicastPeer>> = registerBlock<
  TrackList<UnicastPeer>
>({
  name: 'unicast_peer',
  doc: 'Peers adverts are sent to by unicast instead of multicast.',
  keywords: [],
  newDraft: () => ({ items: [] }),
  item: {
    syntax: 'IP [min_ttl N] [max_ttl N]',
    apply: (d, st, cx) => {
      const a = ip(st.keyword, cx);
      if (a === undefined) return;
      const peer: { address: string; minTtl?: number; maxTtl?: number } = { address: a.text };
      for (let i = 0; i < st.args.length; i += 2) {
        const k = st.args[i];
        const v = st.args[i + 1];
        if (k === undefined) break;
        if ((k.text !== 'min_ttl' && k.text !== 'max_ttl') || v === undefined) {
          cx.sink.error(
            'CFG_INVALID_VALUE',
            k.at,
            `unexpected '${k.text}': expected min_ttl N or max_ttl N`,
          );
          break;
        }
        const n = integer(v, cx, 0, 255);
        if (n !== undefined) peer[k.text === 'min_ttl' ? 'minTtl' : 'maxTtl'] = n;
      }
      d.items.push(peer);
    },
  },
});

export type ScriptDraft = Draft<VrrpScript> & {
  user?: string | undefined;
  group?: string | undefined;
};
const s = builders<ScriptDraft>();

export const vrrpScriptBlock: BlockSpec<ScriptDraft> = registerBlock<ScriptDraft>({
  name: 'vrrp_script',
  doc: 'A command run periodically; its exit status can fault an instance or change its priority.',
  newDraft: () => ({}),
  keywords: [
    keyword<ScriptDraft>({
      name: 'script',
      syntax: '"COMMAND ARGS"',
      doc: 'The command (required). Exit 0 = success.',
      apply: (d, st, cx) => {
        d.script = script(st, cx);
      },
    }),
    s.seconds('interval', 0.001, 86400, 'Seconds between runs (1).', (d, v) => (d.interval = v)),
    s.seconds(
      'timeout',
      0,
      86400,
      'Seconds before a run counts as failed (0 = interval).',
      (d, v) => (d.timeout = v),
    ),
    keyword<ScriptDraft>({
      name: 'weight',
      syntax: '-253..253 [reverse]',
      doc: 'Priority change on success (>0) or failure (<0); 0 = fault on failure.',
      apply: (d, st, cx) => {
        if (!arity(st, cx, 1, 2, '-253..253 [reverse]') || st.args[0] === undefined) return;
        d.weight = integer(st.args[0], cx, WEIGHT_MIN, WEIGHT_MAX);
        d.weightReverse = st.args[1]?.text === 'reverse';
      },
    }),
    s.int('rise', 1, 1000, 'Consecutive successes to become OK (1).', (d, v) => (d.rise = v)),
    s.int('fall', 1, 1000, 'Consecutive failures to become KO (1).', (d, v) => (d.fall = v)),
    keyword<ScriptDraft>({
      name: 'user',
      syntax: 'USER [GROUP]',
      doc: 'User (and group) the script runs as.',
      apply: (d, st, cx) => {
        if (!arity(st, cx, 1, 2, 'USER [GROUP]')) return;
        // Kept apart and merged at the end: keepalived accepts `user` before `script`.
        [d.user, d.group] = st.args.map((w) => w.text);
      },
    }),
    s.flag('init_fail', 'Start in the failed state.', (d, v) => (d.initFail = v)),
  ],
});

export function finishScript(d: ScriptDraft, st: Statement, cx: Cx): VrrpScript | undefined {
  const name = st.args[0]?.text;
  if (name === undefined) {
    cx.sink.error(
      'CFG_MISSING_ARGUMENT',
      st.keyword.at,
      "'vrrp_script' needs a name: vrrp_script NAME { ... }",
    );
    return undefined;
  }
  if (d.script === undefined) {
    cx.sink.error(
      'CFG_MISSING_REQUIRED',
      st.keyword.at,
      `vrrp_script ${name} has no 'script' command`,
    );
    return undefined;
  }
  return {
    at: pos(st.keyword.at),
    name,
    script: compact({
      ...d.script,
      user: d.user ?? d.script.user,
      group: d.group ?? d.script.group,
    }),
    interval: d.interval ?? 1,
    timeout: d.timeout ?? 0,
    weight: d.weight ?? 0,
    weightReverse: d.weightReverse ?? false,
    rise: d.rise ?? 1,
    fall: d.fall ?? 1,
    initFail: d.initFail ?? false,
  };
}

export type TrackFileDraft = Draft<TrackFile>;
const t = builders<TrackFileDraft>();

export const trackFileBlock: BlockSpec<TrackFileDraft> = registerBlock<TrackFileDraft>({
  name: 'track_file',
  doc: 'A file holding an integer; its value times the weight changes priority (0 weight: non-zero = fault).',
  newDraft: () => ({}),
  keywords: [
    t.text('file', '"PATH"', 'The file to watch (required).', (d, v) => (d.file = v)),
    keyword<TrackFileDraft>({
      name: 'weight',
      syntax: '-253..253 [reverse]',
      doc: 'Multiplier of the file value (1).',
      apply: (d, st, cx) => {
        if (!arity(st, cx, 1, 2, '-253..253 [reverse]') || st.args[0] === undefined) return;
        d.weight = integer(st.args[0], cx, -INT_MAX, INT_MAX);
        d.weightReverse = st.args[1]?.text === 'reverse';
      },
    }),
    keyword<TrackFileDraft>({
      name: 'init_file',
      syntax: '[VALUE] [overwrite]',
      doc: 'Create the file at start with VALUE (0); overwrite an existing one with overwrite.',
      apply: (d, st, cx) => {
        if (!arity(st, cx, 0, 2, '[VALUE] [overwrite]')) return;
        const words = st.args.map((w) => w.text);
        const overwrite = words.includes('overwrite');
        const valueWord = st.args.find((w) => w.text !== 'overwrite');
        const value = valueWord === undefined ? 0 : integer(valueWord, cx, -2147483648, 2147483647);
        if (value !== undefined) d.initFile = { value, overwrite };
      },
    }),
  ],
});

export function finishTrackFile(d: TrackFileDraft, st: Statement, cx: Cx): TrackFile | undefined {
  const name = st.args[0]?.text;
  if (name === undefined || d.file === undefined) {
    cx.sink.error(
      name === undefined ? 'CFG_MISSING_ARGUMENT' : 'CFG_MISSING_REQUIRED',
      st.keyword.at,
      name === undefined
        ? "'track_file' needs a name: track_file NAME { file PATH }"
        : `track_file ${name} has no 'file'`,
    );
    return undefined;
  }
  return compact<TrackFile>({
    at: pos(st.keyword.at),
    name,
    file: d.file,
    weight: d.weight ?? 1,
    weightReverse: d.weightReverse ?? false,
    initFile: d.initFile,
  });
}
