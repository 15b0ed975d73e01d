// User and group names to numeric ids, for scripts that run as another user (keepalived's
// script_user and per-script `user USER [GROUP]`). Reads /etc/passwd and /etc/group (passwd(5),
// group(5)) like getpwnam/getgrnam would for the "files" NSS source; LDAP or other NSS sources
// are not consulted. Numeric ids are accepted as they are.

import { readFile } from 'node:fs/promises';

export interface UserIds {
  readonly uid: number;
  readonly gid: number;
}

export type UserLookup =
  { readonly ok: true; readonly ids: UserIds } | { readonly ok: false; readonly reason: string };

async function table(path: string): Promise<string[][]> {
  try {
    return (await readFile(path, 'utf8'))
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => l.split(':'));
  } catch {
    return [];
  }
}

const NUMERIC = /^\d+$/;

/** uid and gid of `user`; `group` (name or number), when given, replaces the primary group. */
export async function lookupUser(user: string, group?: string): Promise<UserLookup> {
  let uid: number | undefined;
  let gid: number | undefined;
  const passwd = await table('/etc/passwd');
  const entry =
    passwd.find((f) => f[0] === user) ?? passwd.find((f) => NUMERIC.test(user) && f[2] === user);
  if (entry !== undefined) {
    uid = Number(entry[2]);
    gid = Number(entry[3]);
  } else if (NUMERIC.test(user)) {
    uid = Number(user);
    gid = Number(user);
  } else {
    return { ok: false, reason: `unknown user ${user}` };
  }
  if (group !== undefined) {
    const found = (await table('/etc/group')).find((f) => f[0] === group);
    if (found !== undefined) gid = Number(found[2]);
    else if (NUMERIC.test(group)) gid = Number(group);
    else return { ok: false, reason: `unknown group ${group}` };
  }
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) {
    return { ok: false, reason: `bad passwd entry for ${user}` };
  }
  return { ok: true, ids: { uid, gid } };
}
