// Route and address scopes (linux/rtnetlink.h enum rt_scope_t) by the names `ip` uses, shared
// by addresses (ifa_scope) and routes (rtm_scope).

export type Scope = 'global' | 'site' | 'link' | 'host' | 'nowhere';

export const SCOPES: Readonly<Record<Scope, number>> = {
  global: 0, // RT_SCOPE_UNIVERSE
  site: 200,
  link: 253,
  host: 254,
  nowhere: 255,
};

/** The name of a scope number, or the number as text (user scopes from rt_scopes). */
export function scopeName(n: number): string {
  const hit = Object.entries(SCOPES).find(([, v]) => v === n);
  return hit === undefined ? String(n) : hit[0];
}

export function isScope(s: string): s is Scope {
  return Object.hasOwn(SCOPES, s);
}
