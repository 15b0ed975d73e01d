// Checks across objects, once the model is finished: names defined twice, references to
// nothing, VRIDs used twice on one interface, sync group membership, virtual servers whose
// address no VRRP instance holds, interfaces this host does not have, and scripts without
// enable_script_security. keepalived reports most of these at start-up; tandem reports them
// at config-test time, with the place of both definitions.

import type { DiagnosticSink, Location, Source } from './diagnostics.js';
import type { Config, Notifies, Position, VrrpInstance } from './model.js';

export interface ValidateContext {
  readonly sink: DiagnosticSink;
  readonly interfaces: ReadonlySet<string> | undefined;
  /** Maps a model position back to a diagnostic location (with its include chain). */
  readonly sources: ReadonlyMap<string, Source>;
}

export function validate(config: Config, vx: ValidateContext): Config {
  const loc = (p: Position): Location => ({
    source: vx.sources.get(p.file) ?? { path: p.file },
    line: p.line,
    column: p.column,
  });
  const { sink } = vx;

  const unique = (items: readonly { name: string; at: Position }[], kind: string): void => {
    const seen = new Map<string, { name: string; at: Position }>();
    for (const item of items) {
      const prev = seen.get(item.name);
      if (prev === undefined) seen.set(item.name, item);
      else {
        sink.error(
          'CFG_DUPLICATE_NAME',
          loc(item.at),
          `${kind} '${item.name}' is defined twice; the later definition is used`,
          [{ at: loc(prev.at), message: 'first defined here' }],
        );
      }
    }
  };
  unique(config.vrrpInstances, 'vrrp_instance');
  unique(config.vrrpScripts, 'vrrp_script');
  unique(config.trackFiles, 'track_file');
  unique(config.vrrpSyncGroups, 'vrrp_sync_group');
  unique(config.virtualServerGroups, 'virtual_server_group');
  unique(
    config.virtualServers.map((v) => ({ ...v, name: v.key })),
    'virtual_server',
  );

  const scripts = new Set(config.vrrpScripts.map((s) => s.name));
  const files = new Set(config.trackFiles.map((f) => f.name));
  const tracked = (
    owner: {
      at: Position;
      trackScript: readonly { name: string }[];
      trackFile: readonly { name: string }[];
    },
    what: string,
  ): void => {
    for (const t of owner.trackScript) {
      if (!scripts.has(t.name))
        sink.error(
          'CFG_UNDEFINED_REFERENCE',
          loc(owner.at),
          `${what} tracks vrrp_script '${t.name}', which is not defined`,
        );
    }
    for (const t of owner.trackFile) {
      if (!files.has(t.name))
        sink.error(
          'CFG_UNDEFINED_REFERENCE',
          loc(owner.at),
          `${what} tracks track_file '${t.name}', which is not defined`,
        );
    }
  };

  const byName = new Map(config.vrrpInstances.map((i) => [i.name, i]));
  const memberOf = new Map<string, string>();
  for (const g of config.vrrpSyncGroups) {
    tracked(g, `vrrp_sync_group ${g.name}`);
    for (const m of g.group) {
      if (!byName.has(m)) {
        sink.error(
          'CFG_UNDEFINED_REFERENCE',
          loc(g.at),
          `vrrp_sync_group ${g.name} names vrrp_instance '${m}', which is not defined`,
        );
      } else if (memberOf.has(m)) {
        sink.error(
          'CFG_CONFLICT',
          loc(g.at),
          `vrrp_instance ${m} is already in vrrp_sync_group ${memberOf.get(m) ?? ''}; an instance may belong to one group only`,
        );
      } else memberOf.set(m, g.name);
    }
  }

  const vrids = new Map<string, VrrpInstance>();
  for (const inst of config.vrrpInstances) {
    tracked(inst, `vrrp_instance ${inst.name}`);
    const key = `${inst.interface ?? ''}/${inst.family}/${inst.virtualRouterId}/${inst.mcastDstIp}`;
    const prev = vrids.get(key);
    const disjointUnicast =
      prev !== undefined &&
      inst.unicastPeer.length > 0 &&
      prev.unicastPeer.length > 0 &&
      !inst.unicastPeer.some((p) => prev.unicastPeer.some((q) => q.address === p.address));
    if (prev !== undefined && !disjointUnicast) {
      sink.error(
        'CFG_DUPLICATE_VRID',
        loc(inst.at),
        `vrrp_instance ${inst.name} uses virtual_router_id ${inst.virtualRouterId} on ${inst.interface ?? 'its interface'}, as vrrp_instance ${prev.name} does: VRIDs must be unique per interface and address family`,
        [{ at: loc(prev.at), message: `vrrp_instance ${prev.name} is defined here` }],
      );
    } else vrids.set(key, inst);
    if (inst.interface === undefined && inst.unicastPeer.length === 0) {
      sink.error(
        'CFG_MISSING_REQUIRED',
        loc(inst.at),
        `vrrp_instance ${inst.name} has no 'interface' (required unless unicast_peer is used)`,
      );
    }
    if (inst.vrrpTransport === 'udp' && inst.unicastPeer.length === 0) {
      sink.error(
        'CFG_MISSING_REQUIRED',
        loc(inst.at),
        `vrrp_instance ${inst.name}: vrrp_transport udp sends to each unicast_peer; add a unicast_peer block`,
      );
    }
    if (inst.interface === 'lo' && inst.vrrpTransport === 'raw') {
      sink.error(
        'CFG_INVALID_VALUE',
        loc(inst.at),
        `vrrp_instance ${inst.name}: VRRP cannot run on the loopback interface (lo); use the director's network interface (or vrrp_transport udp for a one-machine cluster)`,
      );
    }
    if (inst.virtualIpaddress.length > 255) {
      sink.warning(
        'CFG_OUT_OF_RANGE',
        loc(inst.at),
        `vrrp_instance ${inst.name} has ${inst.virtualIpaddress.length} virtual addresses; an advert carries at most 255, so the rest are held but not advertised (as virtual_ipaddress_excluded)`,
      );
    }
    if (inst.virtualIpaddress.length === 0) {
      sink.warning(
        'CFG_EMPTY',
        loc(inst.at),
        `vrrp_instance ${inst.name} has no virtual_ipaddress: becoming master moves no address`,
      );
    }
  }

  const groups = new Set(config.virtualServerGroups.map((g) => g.name));
  const vips = new Set(
    config.vrrpInstances.flatMap((i) =>
      [...i.virtualIpaddress, ...i.virtualIpaddressExcluded].map((v) => v.address),
    ),
  );
  for (const vs of config.virtualServers) {
    if (vs.address.kind === 'group' && !groups.has(vs.address.name)) {
      sink.error(
        'CFG_UNDEFINED_REFERENCE',
        loc(vs.at),
        `virtual_server group '${vs.address.name}' is not defined (virtual_server_group ${vs.address.name} { ... })`,
      );
    }
    if (
      vs.address.kind === 'ip' &&
      config.vrrpInstances.length > 0 &&
      !vips.has(vs.address.address)
    ) {
      sink.warning(
        'CFG_VS_NOT_VIP',
        loc(vs.at),
        `virtual_server ${vs.address.address} is not a virtual_ipaddress of any vrrp_instance: no director will hold this address through VRRP`,
      );
    }
    for (const rs of vs.realServers) {
      for (const c of rs.checkers) {
        if (c.type === 'FILE_CHECK' && !files.has(c.trackFile)) {
          sink.error(
            'CFG_UNDEFINED_REFERENCE',
            loc(c.at),
            `FILE_CHECK follows track_file '${c.trackFile}', which is not defined`,
          );
        }
      }
    }
  }

  if (vx.interfaces !== undefined) {
    const have = vx.interfaces;
    const check = (name: string | undefined, at: Position, what: string): void => {
      if (name !== undefined && !have.has(name)) {
        sink.warning(
          'CFG_NO_SUCH_INTERFACE',
          loc(at),
          `${what} '${name}' does not exist on this host (it may appear later)`,
        );
      }
    };
    for (const inst of config.vrrpInstances) {
      check(inst.interface, inst.at, `interface`);
      for (const t of inst.trackInterface) check(t.name, inst.at, 'track_interface');
      for (const v of inst.virtualIpaddress) check(v.dev, v.at, 'dev');
    }
    for (const a of config.staticIpaddress)
      check(a.dev ?? config.global.defaultInterface, a.at, 'dev');
  }

  const notifies = (n: Notifies): boolean =>
    [n.notify, n.notifyMaster, n.notifyBackup, n.notifyFault, n.notifyStop, n.notifyDeleted].some(
      (x) => x !== undefined,
    );
  const g = config.global;
  const hasScripts =
    config.vrrpScripts.length > 0 ||
    [
      g.startupScript,
      g.shutdownScript,
      g.notifyFifoScript,
      g.vrrpNotifyFifoScript,
      g.lvsNotifyFifoScript,
    ].some((x) => x !== undefined) ||
    config.vrrpSyncGroups.some(notifies) ||
    config.vrrpInstances.some((i) => notifies(i) || i.notifyMasterRxLowerPri !== undefined) ||
    config.virtualServers.some(
      (v) =>
        v.quorumUp ??
        v.quorumDown ??
        v.realServers.some(
          (r) => r.notifyUp ?? r.notifyDown ?? r.checkers.some((c) => c.type === 'MISC_CHECK'),
        ),
    );
  if (hasScripts && !config.global.enableScriptSecurity) {
    sink.warning(
      'CFG_SCRIPT_SECURITY',
      undefined,
      'scripts are configured but enable_script_security is not set: scripts run as root even if other users can modify them (add enable_script_security to global_defs)',
    );
  }

  return {
    ...config,
    vrrpInstances: config.vrrpInstances.map((i) => {
      const g = memberOf.get(i.name);
      return g === undefined ? i : { ...i, syncGroup: g };
    }),
  };
}
