// Where the control socket lives when neither the daemon nor tandemadm is given --control PATH.
// root gets the system runtime directory (as keepalived's pidfiles under /run); anyone else gets
// their own runtime directory, so an unprivileged daemon (proxy data plane) and its tandemadm
// meet without configuration.

import { join } from 'node:path';

export interface ControlPathContext {
  readonly uid: number | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function defaultControlPath(
  ctx: ControlPathContext = { uid: process.getuid?.(), env: process.env },
): string {
  if (ctx.uid === 0) return '/run/tandem/control.sock';
  const xdg = ctx.env.XDG_RUNTIME_DIR;
  if (xdg?.startsWith('/')) return join(xdg, 'tandem', 'control.sock');
  return `/tmp/tandem-${ctx.uid ?? 'user'}/control.sock`;
}
