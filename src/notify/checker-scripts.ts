// Which scripts a checker event runs (reference §1.8, §3.3): a real server going up runs its
// notify_up, going down its notify_down; a virtual server gaining or losing quorum runs
// quorum_up or quorum_down. keepalived appends no words to these. Pure.

import type { ScriptSpec } from '../config/model.js';
import type { NotifyEvent } from './events.js';
import type { ScriptCall } from './vrrp-scripts.js';

export interface CheckerNotifies {
  readonly notifyUp?: ScriptSpec;
  readonly notifyDown?: ScriptSpec;
  readonly quorumUp?: ScriptSpec;
  readonly quorumDown?: ScriptSpec;
}

/** The script run for an rs or quorum event ([] for VRRP events or nothing configured). */
export function checkerScripts(event: NotifyEvent, n: CheckerNotifies): ScriptCall[] {
  let pick: [string, ScriptSpec | undefined];
  if (event.kind === 'rs')
    pick = event.up ? ['notify_up', n.notifyUp] : ['notify_down', n.notifyDown];
  else if (event.kind === 'quorum')
    pick = event.up ? ['quorum_up', n.quorumUp] : ['quorum_down', n.quorumDown];
  else return [];
  const [keyword, script] = pick;
  return script === undefined ? [] : [{ script, args: [], keyword }];
}
