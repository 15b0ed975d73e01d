// Starting a notify script process (reference §2.9): no shell, its own process group so a
// timeout can kill whatever it forked, stdio on /dev/null, and an environment of PATH only —
// keepalived's scripts see no daemon internals either, and a notify script must not depend on
// how the daemon was started. uid/gid switch the user (libuv also drops supplementary groups).

import { scriptSpawner, type ScriptSpawner } from '../lib/script-process.js';

export type { ScriptExit, ScriptIds, SpawnedScript } from '../lib/script-process.js';
export type NotifySpawner = ScriptSpawner;

export const SCRIPT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export const systemNotifySpawner: NotifySpawner = scriptSpawner({
  env: { PATH: process.env.PATH ?? SCRIPT_PATH },
});
