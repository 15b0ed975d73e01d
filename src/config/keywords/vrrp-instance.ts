// vrrp_instance (keepalived.conf(5) "VRRP instance(s)"; reference §1.7). Finishing resolves
// keepalived's implied values: `state MASTER` without `priority` is the address owner (255),
// no `state` means MASTER only for priority 255, IPv6 VIPs force VRRPv3, VRRPv2 advert_int is
// whole seconds, and the garp_* and timer settings default to their vrrp_* globals.

import type { GlobalDefs, VrrpInstance } from '../model.js';
import type { Statement } from '../parser.js';
import {
  blockKeyword,
  keyword,
  registerBlock,
  unsupported,
  ignored,
  type BlockSpec,
  type Cx,
} from '../schema.js';
import { arity, pos } from '../values.js';
import {
  virtualIpaddressBlock,
  virtualIpaddressExcludedBlock,
  virtualRoutesBlock,
  virtualRulesBlock,
} from './addresses.js';
import { builders, compact, type Draft } from './common.js';
import { notifyKeywords } from './notify.js';
import {
  trackFileListBlock,
  trackInterfaceBlock,
  trackScriptBlock,
  unicastPeerBlock,
} from './tracking.js';

export interface InstanceDraft extends Draft<VrrpInstance> {
  stateGiven?: boolean;
  priorityGiven?: boolean;
  authType?: 'PASS' | 'AH' | undefined;
  authPass?: string | undefined;
}

const b = builders<InstanceDraft>();

interface AuthDraft {
  authType?: 'PASS' | 'AH';
  authPass?: string;
}
const a = builders<AuthDraft>();

const authenticationBlock: BlockSpec<AuthDraft> = registerBlock<AuthDraft>({
  name: 'authentication',
  doc: 'VRRPv2 authentication (PASS sends a clear-text password of up to 8 characters).',
  newDraft: () => ({}),
  keywords: [
    a.choice('auth_type', ['PASS', 'AH'] as const, 'PASS or AH.', (d, v) => (d.authType = v)),
    a.text(
      'auth_pass',
      'PASSWORD',
      'The password; only the first 8 characters are used.',
      (d, v, st, cx) => {
        if (v.length > 8) {
          cx.sink.warning(
            'CFG_INVALID_VALUE',
            st.args[0]?.at ?? st.keyword.at,
            `auth_pass is truncated to 8 characters ('${v.slice(0, 8)}')`,
          );
        }
        d.authPass = v.slice(0, 8);
      },
    ),
  ],
});

export const vrrpInstanceBlock: BlockSpec<InstanceDraft> = registerBlock<InstanceDraft>({
  name: 'vrrp_instance',
  doc: 'A virtual router: its VRID, priority, virtual addresses and what it tracks.',
  newDraft: () => ({}),
  keywords: [
    b.choice(
      'state',
      ['MASTER', 'BACKUP'] as const,
      'Initial state wish; the election decides.',
      (d, v) => {
        d.state = v;
        d.stateGiven = true;
      },
    ),
    b.text(
      'interface',
      'INTERFACE',
      'Interface adverts are sent and received on.',
      (d, v) => (d.interface = v),
    ),
    b.int(
      'virtual_router_id',
      1,
      255,
      'The VRID, the same on every router of the group (required).',
      (d, v) => (d.virtualRouterId = v),
    ),
    b.int('priority', 1, 255, 'Election priority (100; 255 = address owner).', (d, v) => {
      d.priority = v;
      d.priorityGiven = true;
    }),
    b.seconds(
      'advert_int',
      0.01,
      255,
      'Seconds between adverts (1; VRRPv3 allows hundredths).',
      (d, v) => (d.advertInt = v),
    ),
    b.choice(
      'version',
      ['2', '3'] as const,
      'VRRP version (vrrp_version, 2).',
      (d, v) => (d.version = v === '2' ? 2 : 3),
    ),
    blockKeyword<InstanceDraft, AuthDraft>({
      name: 'authentication',
      syntax: '{ auth_type PASS|AH; auth_pass PASSWORD }',
      doc: 'VRRPv2 authentication.',
      repeatable: false,
      child: authenticationBlock,
      finish: (d, c) => {
        d.authType = c.authType;
        d.authPass = c.authPass;
      },
    }),
    blockKeyword<InstanceDraft, { items: VrrpInstance['virtualIpaddress'][number][] }>({
      name: 'virtual_ipaddress',
      syntax: '{ IP[/LEN] [options] ... }',
      doc: 'The virtual IPs.',
      child: virtualIpaddressBlock,
      finish: (d, c) => (d.virtualIpaddress = [...(d.virtualIpaddress ?? []), ...c.items]),
    }),
    blockKeyword<InstanceDraft, { items: VrrpInstance['virtualIpaddress'][number][] }>({
      name: 'virtual_ipaddress_excluded',
      syntax: '{ IP[/LEN] [options] ... }',
      doc: 'Addresses held while master but not advertised.',
      child: virtualIpaddressExcludedBlock,
      finish: (d, c) =>
        (d.virtualIpaddressExcluded = [...(d.virtualIpaddressExcluded ?? []), ...c.items]),
    }),
    blockKeyword<InstanceDraft, { items: VrrpInstance['virtualRoutes'][number][] }>({
      name: 'virtual_routes',
      syntax: '{ ROUTE ... }',
      doc: 'Routes added while master.',
      child: virtualRoutesBlock,
      finish: (d, c) => (d.virtualRoutes = [...(d.virtualRoutes ?? []), ...c.items]),
    }),
    blockKeyword<InstanceDraft, { items: VrrpInstance['virtualRules'][number][] }>({
      name: 'virtual_rules',
      syntax: '{ RULE ... }',
      doc: 'Policy rules added while master.',
      child: virtualRulesBlock,
      finish: (d, c) => (d.virtualRules = [...(d.virtualRules ?? []), ...c.items]),
    }),
    blockKeyword<InstanceDraft, { items: VrrpInstance['trackInterface'][number][] }>({
      name: 'track_interface',
      syntax: '{ INTERFACE [weight W [reverse]] ... }',
      doc: 'Interfaces to follow.',
      child: trackInterfaceBlock,
      finish: (d, c) => (d.trackInterface = [...(d.trackInterface ?? []), ...c.items]),
    }),
    blockKeyword<InstanceDraft, { items: VrrpInstance['trackScript'][number][] }>({
      name: 'track_script',
      syntax: '{ SCRIPT [weight W [reverse]] ... }',
      doc: 'vrrp_script checks to follow.',
      child: trackScriptBlock,
      finish: (d, c) => (d.trackScript = [...(d.trackScript ?? []), ...c.items]),
    }),
    blockKeyword<InstanceDraft, { items: VrrpInstance['trackFile'][number][] }>({
      name: 'track_file',
      syntax: '{ TRACK_FILE [weight W [reverse]] ... }',
      doc: 'track_file objects to follow.',
      child: trackFileListBlock,
      finish: (d, c) => (d.trackFile = [...(d.trackFile ?? []), ...c.items]),
    }),
    unsupported<InstanceDraft>('track_process', '{ ... }', 'Follow processes.', true),
    unsupported<InstanceDraft>('track_bfd', '{ ... }', 'Follow BFD sessions.', true),
    b.flag(
      'track_src_ip',
      'FAULT when the source address disappears.',
      (d, v) => (d.trackSrcIp = v),
    ),
    b.flag(
      'dont_track_primary',
      "Ignore faults of the instance's own interface.",
      (d, v) => (d.dontTrackPrimary = v),
    ),
    b.flag(
      'nopreempt',
      'Do not take over from a lower-priority master.',
      (d, v) => (d.nopreempt = v),
    ),
    b.flag('preempt', 'Preempt (the default; no effect).', (d, v) => (d.nopreempt = !v)),
    b.seconds(
      'preempt_delay',
      0,
      1000,
      'Seconds to wait before preempting.',
      (d, v) => (d.preemptDelay = v),
    ),
    b.seconds(
      'garp_master_delay',
      0,
      1000,
      'Delay of the second gratuitous ARP burst.',
      (d, v) => (d.garpMasterDelay = v),
    ),
    b.int(
      'garp_master_repeat',
      0,
      1000,
      'Gratuitous ARPs per burst.',
      (d, v) => (d.garpMasterRepeat = v),
    ),
    b.seconds(
      'garp_master_refresh',
      0,
      86400,
      'Refresh period of gratuitous ARPs as master.',
      (d, v) => (d.garpMasterRefresh = v),
    ),
    b.int(
      'garp_master_refresh_repeat',
      1,
      1000,
      'Gratuitous ARPs per refresh.',
      (d, v) => (d.garpMasterRefreshRepeat = v),
    ),
    b.seconds(
      'garp_lower_prio_delay',
      0,
      1000,
      'Delay of the burst after a lower-priority advert.',
      (d, v) => (d.garpLowerPrioDelay = v),
    ),
    b.int(
      'garp_lower_prio_repeat',
      0,
      1000,
      'Gratuitous ARPs after a lower-priority advert.',
      (d, v) => (d.garpLowerPrioRepeat = v),
    ),
    b.int(
      'down_timer_adverts',
      1,
      100,
      'Adverts missed before the master is declared down.',
      (d, v) => (d.downTimerAdverts = v),
    ),
    b.flag(
      'lower_prio_no_advert',
      'Do not answer lower-priority adverts.',
      (d, v) => (d.lowerPrioNoAdvert = v),
    ),
    b.flag(
      'higher_prio_send_advert',
      'Send one advert before yielding.',
      (d, v) => (d.higherPrioSendAdvert = v),
    ),
    b.address('unicast_src_ip', 'Source address of adverts.', (d, v) => (d.unicastSrcIp = v.text), {
      aliases: [{ name: 'mcast_src_ip' }],
    }),
    blockKeyword<InstanceDraft, { items: VrrpInstance['unicastPeer'][number][] }>({
      name: 'unicast_peer',
      syntax: '{ IP [min_ttl N] [max_ttl N] ... }',
      doc: 'Send adverts by unicast to these peers.',
      child: unicastPeerBlock,
      finish: (d, c) => (d.unicastPeer = [...(d.unicastPeer ?? []), ...c.items]),
    }),
    b.int('unicast_ttl', 0, 255, 'TTL of unicast adverts (255).', (d, v) => (d.unicastTtl = v)),
    b.flag(
      'unicast_fault_no_peer',
      'FAULT instead of multicast when there is no peer.',
      (d, v) => (d.unicastFaultNoPeer = v),
    ),
    b.flag(
      'check_unicast_src',
      'Accept unicast adverts only from the peers.',
      (d, v) => (d.checkUnicastSrc = v),
    ),
    b.address('mcast_dst_ip', 'Multicast group of adverts.', (d, v) => (d.mcastDstIp = v.text)),
    b.flag(
      'accept',
      'Accept packets to the VIPs while master (default).',
      (d, v) => (d.accept = v),
    ),
    b.flag(
      'no_accept',
      'Drop packets to the VIPs unless address owner.',
      (d, v) => (d.accept = !v),
    ),
    b.choice(
      'vrrp_transport',
      ['raw', 'udp'] as const,
      'tandem extension: raw (IP protocol 112, as keepalived) or udp (the VRRP message in a UDP datagram to each unicast_peer, port vrrp_udp_port; no privileges needed).',
      (d, v) => (d.vrrpTransport = v),
      { status: 'extension' },
    ),
    b.int(
      'vrrp_udp_port',
      1,
      65535,
      'tandem extension: UDP port of vrrp_transport udp (11112).',
      (d, v) => (d.vrrpUdpPort = v),
      { status: 'extension' },
    ),
    b.choice(
      'vip_mode',
      ['address', 'listener'] as const,
      "tandem extension: address (add the VIPs to the interface, as keepalived) or listener (holding a VIP means owning the proxy data plane's listening sockets on it; no privileges needed).",
      (d, v) => (d.vipMode = v),
      { status: 'extension' },
    ),
    ...notifyKeywords<InstanceDraft>(),
    b.command(
      'notify_master_rx_lower_pri',
      'Run when the master receives a lower-priority advert.',
      (d, v) => (d.notifyMasterRxLowerPri = v),
    ),
    b.flag(
      'smtp_alert',
      'E-mail on state changes (smtp_alert_vrrp / smtp_alert, off).',
      (d, v) => (d.smtpAlert = v),
    ),
    b.flag('strict_mode', 'Enforce RFC rules strictly.', (d, v) => (d.strictMode = v)),
    b.flag(
      'skip_check_adv_addr',
      'Skip the VIP list check for repeated adverts.',
      (d, v) => (d.skipCheckAdvAddr = v),
    ),
    b.flag(
      'promote_secondaries',
      'Promote secondary addresses when the primary goes.',
      (d, v) => (d.promoteSecondaries = v),
    ),
    ...[
      'use_vmac',
      'vmac_xmit_base',
      'use_vmac_addr',
      'use_ipvlan',
      'vrf',
      'timer_expired_backup',
      'owner_ignore_adverts',
      'old_unicast_checksum',
      'garp_extra_if',
      'v3_checksum_as_v2',
    ].map((n) =>
      unsupported<InstanceDraft>(n, '[VALUE]', 'keepalived feature not implemented by tandem.'),
    ),
    ignored<InstanceDraft>(
      'native_ipv6',
      '',
      'Deprecated: the family follows the VIPs.',
      "'native_ipv6' is deprecated: the address family follows the virtual addresses",
    ),
    ignored<InstanceDraft>(
      'kernel_rx_buf_size',
      'BYTES',
      'Receive buffer size.',
      "'kernel_rx_buf_size' tunes keepalived's sockets; it has no effect in tandem",
    ),
    ignored<InstanceDraft>(
      'debug',
      '0..4',
      'Debug level (no-op in keepalived too).',
      "'debug' has no effect",
    ),
    ignored<InstanceDraft>(
      'linkbeat_use_polling',
      '',
      'Deprecated link polling.',
      "'linkbeat_use_polling' is deprecated; link state comes from netlink",
    ),
    keyword<InstanceDraft>({
      name: 'lvs_sync_daemon_interface',
      syntax: 'INTERFACE',
      doc: 'Deprecated: use global lvs_sync_daemon.',
      deprecated: {
        message:
          "'lvs_sync_daemon_interface' is deprecated and ignored: use 'lvs_sync_daemon INTERFACE INSTANCE' in global_defs",
        severity: 'warning',
      },
      apply: (_d, st, cx) => void arity(st, cx, 1, 1, 'INTERFACE'),
    }),
  ],
});

export function finishInstance(
  d: InstanceDraft,
  st: Statement,
  g: GlobalDefs,
  cx: Cx,
): VrrpInstance | undefined {
  const at = st.keyword.at;
  const name = st.args[0]?.text;
  if (name === undefined) {
    cx.sink.error(
      'CFG_MISSING_ARGUMENT',
      at,
      "'vrrp_instance' needs a name: vrrp_instance NAME { ... }",
    );
    return undefined;
  }
  if (d.virtualRouterId === undefined) {
    cx.sink.error(
      'CFG_MISSING_REQUIRED',
      at,
      `vrrp_instance ${name} has no virtual_router_id (1-255): every router of the group must use the same one`,
    );
    return undefined;
  }
  const vips = d.virtualIpaddress ?? [];
  const family = vips[0]?.family ?? 'inet';
  const mixed = vips.find((v) => v.family !== family);
  if (mixed !== undefined) {
    cx.sink.error(
      'CFG_INVALID_ADDRESS',
      { source: at.source, line: mixed.at.line, column: mixed.at.column },
      `vrrp_instance ${name} mixes IPv4 and IPv6 virtual addresses; put the other family in virtual_ipaddress_excluded or another instance`,
    );
  }
  let version = d.version ?? g.vrrpVersion;
  if (family === 'inet6' && version === 2) {
    if (d.version === 2)
      cx.sink.warning(
        'CFG_CONFLICT',
        at,
        `vrrp_instance ${name}: VRRPv2 cannot carry IPv6 addresses; version 3 is used`,
      );
    version = 3;
  }
  const priority = d.priority ?? (d.state === 'MASTER' ? 255 : 100);
  const state =
    d.stateGiven === true ? (d.state ?? 'BACKUP') : priority === 255 ? 'MASTER' : 'BACKUP';
  let advertInt = d.advertInt ?? 1;
  if (version === 2 && !Number.isInteger(advertInt)) {
    const rounded = Math.max(1, Math.round(advertInt));
    cx.sink.warning(
      'CFG_OUT_OF_RANGE',
      at,
      `vrrp_instance ${name}: VRRPv2 advert_int is whole seconds; ${advertInt} is rounded to ${rounded}`,
    );
    advertInt = rounded;
  }
  if (version === 3 && advertInt > 40.95) {
    cx.sink.error(
      'CFG_OUT_OF_RANGE',
      at,
      `vrrp_instance ${name}: VRRPv3 advert_int is at most 40.95 seconds`,
    );
  }
  let authentication: VrrpInstance['authentication'];
  if (d.authType !== undefined || d.authPass !== undefined) {
    if (version === 3) {
      cx.sink.warning(
        'CFG_CONFLICT',
        at,
        `vrrp_instance ${name}: VRRPv3 has no authentication; the authentication block is ignored`,
      );
    } else if (d.authType === 'AH') {
      cx.sink.warning(
        'CFG_UNSUPPORTED',
        at,
        `vrrp_instance ${name}: auth_type AH is not implemented by tandem (adverts with AH are refused); use PASS or none`,
      );
      authentication = { authType: 'AH', authPass: d.authPass ?? '' };
    } else {
      authentication = { authType: 'PASS', authPass: d.authPass ?? '' };
    }
  }
  let nopreempt = d.nopreempt ?? false;
  if (nopreempt && (state === 'MASTER' || priority === 255)) {
    cx.sink.warning(
      'CFG_CONFLICT',
      at,
      `vrrp_instance ${name}: nopreempt needs 'state BACKUP' and a priority below 255; it is ignored`,
    );
    nopreempt = false;
  }
  let preemptDelay = d.preemptDelay ?? 0;
  if (preemptDelay > 0 && (nopreempt || state === 'MASTER')) {
    cx.sink.warning(
      'CFG_CONFLICT',
      at,
      `vrrp_instance ${name}: preempt_delay does not combine with ${nopreempt ? 'nopreempt' : 'state MASTER'}; it is ignored`,
    );
    preemptDelay = 0;
  }
  const strict = d.strictMode ?? g.vrrpStrict;
  return compact<VrrpInstance>({
    ...d,
    at: pos(at),
    name,
    state,
    virtualRouterId: d.virtualRouterId,
    priority,
    advertInt,
    version,
    family,
    authentication,
    virtualIpaddress: vips,
    virtualIpaddressExcluded: d.virtualIpaddressExcluded ?? [],
    virtualRoutes: d.virtualRoutes ?? [],
    virtualRules: d.virtualRules ?? [],
    trackInterface: d.trackInterface ?? [],
    trackScript: d.trackScript ?? [],
    trackFile: d.trackFile ?? [],
    trackSrcIp: d.trackSrcIp ?? false,
    dontTrackPrimary: d.dontTrackPrimary ?? false,
    nopreempt,
    preemptDelay,
    garpMasterDelay: d.garpMasterDelay ?? g.vrrpGarpMasterDelay,
    garpMasterRepeat: d.garpMasterRepeat ?? g.vrrpGarpMasterRepeat,
    garpMasterRefresh: d.garpMasterRefresh ?? g.vrrpGarpMasterRefresh,
    garpMasterRefreshRepeat: d.garpMasterRefreshRepeat ?? g.vrrpGarpMasterRefreshRepeat,
    garpLowerPrioDelay: d.garpLowerPrioDelay ?? g.vrrpGarpLowerPrioDelay,
    garpLowerPrioRepeat: d.garpLowerPrioRepeat ?? g.vrrpGarpLowerPrioRepeat,
    downTimerAdverts: d.downTimerAdverts ?? g.vrrpDownTimerAdverts,
    lowerPrioNoAdvert: d.lowerPrioNoAdvert ?? g.vrrpLowerPrioNoAdvert,
    higherPrioSendAdvert: d.higherPrioSendAdvert ?? g.vrrpHigherPrioSendAdvert,
    unicastPeer: d.unicastPeer ?? [],
    unicastTtl: d.unicastTtl ?? 255,
    unicastFaultNoPeer: d.unicastFaultNoPeer ?? false,
    checkUnicastSrc: d.checkUnicastSrc ?? g.vrrpCheckUnicastSrc,
    mcastDstIp: d.mcastDstIp ?? (family === 'inet' ? g.vrrpMcastGroup4 : g.vrrpMcastGroup6),
    accept: d.accept ?? (!strict || priority === 255),
    smtpAlert: d.smtpAlert ?? g.smtpAlertVrrp ?? g.smtpAlert ?? false,
    strictMode: strict,
    skipCheckAdvAddr: d.skipCheckAdvAddr ?? g.vrrpSkipCheckAdvAddr,
    promoteSecondaries: d.promoteSecondaries ?? false,
    vrrpTransport: d.vrrpTransport ?? 'raw',
    vrrpUdpPort: d.vrrpUdpPort ?? 11112,
    vipMode: d.vipMode ?? 'address',
    stateGiven: undefined,
    priorityGiven: undefined,
    authType: undefined,
    authPass: undefined,
  } as Draft<VrrpInstance>);
}
