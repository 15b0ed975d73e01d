// The compiled configuration: a typed, immutable model of keepalived.conf. Field names are the
// camelCase twins of keepalived's keywords (`delay_loop` → `delayLoop`, `lb_algo`/`lvs_sched` →
// `lvsSched`); every default is resolved (keepalived.conf(5) and keepalived 2.2.7's code, see
// shared/reference/keepalived.md §1), and inherited values (virtual_server → real_server →
// checker) are filled in, so consumers never re-implement defaulting. Times are in seconds
// (fractions allowed) as in the file. Each object records `at`, where it was defined.

import type { Family } from '../lib/inet.js';

export interface Position {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** A command to run (notify scripts, vrrp_script, MISC_CHECK, quorum_up …). */
export interface ScriptSpec {
  /** The command as written (after quote removal of the keyword's argument). */
  readonly command: string;
  /** Shell-like words of `command` (quotes grouped, escapes applied), argv[0] first. */
  readonly argv: readonly string[];
  readonly user?: string;
  readonly group?: string;
}

export interface FifoSpec {
  readonly path: string;
  readonly user?: string;
  readonly group?: string;
}

export interface SmtpServer {
  readonly host: string;
  readonly port: number;
}

export interface LvsSyncDaemon {
  readonly interface: string;
  readonly instance?: string;
  readonly syncId?: number;
  readonly maxlen?: number;
  readonly port: number;
  readonly ttl?: number;
  readonly group?: string;
}

export interface GlobalDefs {
  readonly notificationEmail: readonly string[];
  readonly notificationEmailFrom: string;
  readonly smtpServer?: SmtpServer;
  readonly smtpHeloName: string;
  readonly smtpConnectTimeout: number;
  /** Tri-state globals: undefined means "not set", which changes per-object defaults. */
  readonly smtpAlert?: boolean;
  readonly smtpAlertVrrp?: boolean;
  readonly smtpAlertChecker?: boolean;
  readonly noEmailFaults: boolean;
  readonly checkerLogAllFailures: boolean;
  readonly routerId: string;
  readonly scriptUser?: { readonly user: string; readonly group?: string };
  readonly enableScriptSecurity: boolean;
  readonly notifyFifo?: FifoSpec;
  readonly notifyFifoScript?: ScriptSpec;
  readonly vrrpNotifyFifo?: FifoSpec;
  readonly vrrpNotifyFifoScript?: ScriptSpec;
  readonly lvsNotifyFifo?: FifoSpec;
  readonly lvsNotifyFifoScript?: ScriptSpec;
  readonly vrrpNotifyPriorityChanges: boolean;
  readonly vrrpMcastGroup4: string;
  readonly vrrpMcastGroup6: string;
  readonly vrrpVersion: 2 | 3;
  readonly vrrpGarpMasterDelay: number;
  readonly vrrpGarpMasterRepeat: number;
  readonly vrrpGarpMasterRefresh: number;
  readonly vrrpGarpMasterRefreshRepeat: number;
  readonly vrrpGarpLowerPrioDelay: number;
  readonly vrrpGarpLowerPrioRepeat: number;
  readonly vrrpGarpInterval: number;
  readonly vrrpGnaInterval: number;
  readonly vrrpMinGarp: boolean;
  readonly vrrpLowerPrioNoAdvert: boolean;
  readonly vrrpHigherPrioSendAdvert: boolean;
  readonly vrrpDownTimerAdverts: number;
  readonly vrrpCheckUnicastSrc: boolean;
  readonly vrrpSkipCheckAdvAddr: boolean;
  readonly vrrpStrict: boolean;
  readonly vrrpStartupDelay: number;
  readonly logUnknownVrids: boolean;
  readonly defaultInterface: string;
  readonly lvsTimeouts: { readonly tcp?: number; readonly tcpfin?: number; readonly udp?: number };
  readonly lvsFlush: boolean;
  readonly lvsFlushOnStop: boolean;
  readonly lvsSyncDaemon?: LvsSyncDaemon;
  readonly startupScript?: ScriptSpec;
  readonly startupScriptTimeout: number;
  readonly shutdownScript?: ScriptSpec;
  readonly shutdownScriptTimeout: number;
}

/** One `virtual_ipaddress` / `static_ipaddress` line. */
export interface IpAddressSpec {
  readonly at: Position;
  readonly address: string;
  readonly family: Family;
  readonly prefixLength: number;
  readonly broadcast?: string;
  readonly dev?: string;
  readonly scope?: 'site' | 'link' | 'host' | 'nowhere' | 'global';
  readonly label?: string;
  readonly peer?: string;
  readonly home: boolean;
  readonly nodad: boolean;
  readonly mngtmpaddr: boolean;
  readonly noprefixroute: boolean;
  readonly autojoin: boolean;
  readonly noTrack: boolean;
  readonly preferredLft?: number | 'forever';
  readonly trackGroup?: string;
}

/** A route or rule in `ip route` / `ip rule` syntax, kept as words for the data layer. */
export interface RouteSpec {
  readonly at: Position;
  readonly words: readonly string[];
  readonly noTrack: boolean;
}

export interface TrackedInterface {
  readonly name: string;
  readonly weight: number;
  readonly reverse: boolean;
}

export interface TrackedName {
  readonly name: string;
  /** Undefined: use the tracked object's own weight. */
  readonly weight?: number;
  readonly reverse: boolean;
}

export interface VrrpScript {
  readonly at: Position;
  readonly name: string;
  readonly script: ScriptSpec;
  readonly interval: number;
  /** 0 means "use interval". */
  readonly timeout: number;
  readonly weight: number;
  readonly weightReverse: boolean;
  readonly rise: number;
  readonly fall: number;
  readonly initFail: boolean;
}

export interface TrackFile {
  readonly at: Position;
  readonly name: string;
  readonly file: string;
  readonly weight: number;
  readonly weightReverse: boolean;
  readonly initFile?: { readonly value: number; readonly overwrite: boolean };
}

export interface UnicastPeer {
  readonly address: string;
  readonly minTtl?: number;
  readonly maxTtl?: number;
}

export type VrrpState = 'MASTER' | 'BACKUP';

export interface Notifies {
  readonly notifyMaster?: ScriptSpec;
  readonly notifyBackup?: ScriptSpec;
  readonly notifyFault?: ScriptSpec;
  readonly notifyStop?: ScriptSpec;
  readonly notifyDeleted?: ScriptSpec;
  /** Generic script, called with 4 extra arguments (INSTANCE|GROUP name state priority). */
  readonly notify?: ScriptSpec;
}

export interface VrrpInstance extends Notifies {
  readonly at: Position;
  readonly name: string;
  /** Initial wish only; unset in the file ⇒ MASTER iff priority 255. */
  readonly state: VrrpState;
  readonly interface?: string;
  readonly virtualRouterId: number;
  /** `state MASTER` without `priority` ⇒ 255 (address owner). */
  readonly priority: number;
  readonly advertInt: number;
  readonly version: 2 | 3;
  readonly family: Family;
  readonly authentication?: { readonly authType: 'PASS' | 'AH'; readonly authPass: string };
  readonly virtualIpaddress: readonly IpAddressSpec[];
  readonly virtualIpaddressExcluded: readonly IpAddressSpec[];
  readonly virtualRoutes: readonly RouteSpec[];
  readonly virtualRules: readonly RouteSpec[];
  readonly trackInterface: readonly TrackedInterface[];
  readonly trackScript: readonly TrackedName[];
  readonly trackFile: readonly TrackedName[];
  readonly trackSrcIp: boolean;
  readonly dontTrackPrimary: boolean;
  readonly nopreempt: boolean;
  readonly preemptDelay: number;
  readonly garpMasterDelay: number;
  readonly garpMasterRepeat: number;
  readonly garpMasterRefresh: number;
  readonly garpMasterRefreshRepeat: number;
  readonly garpLowerPrioDelay: number;
  readonly garpLowerPrioRepeat: number;
  readonly downTimerAdverts: number;
  readonly lowerPrioNoAdvert: boolean;
  readonly higherPrioSendAdvert: boolean;
  readonly unicastSrcIp?: string;
  readonly unicastPeer: readonly UnicastPeer[];
  readonly unicastTtl: number;
  readonly unicastFaultNoPeer: boolean;
  readonly checkUnicastSrc: boolean;
  readonly mcastDstIp: string;
  readonly accept: boolean;
  readonly notifyMasterRxLowerPri?: ScriptSpec;
  readonly smtpAlert: boolean;
  readonly strictMode: boolean;
  readonly skipCheckAdvAddr: boolean;
  readonly promoteSecondaries: boolean;
  readonly syncGroup?: string;
  /**
   * tandem extension `vrrp_transport raw|udp`: IP protocol 112 (as keepalived), or the same VRRP
   * message as a UDP payload to `vrrpUdpPort` (unprivileged use, networks that drop 112).
   */
  readonly vrrpTransport: 'raw' | 'udp';
  readonly vrrpUdpPort: number;
  /**
   * tandem extension `vip_mode address|listener`: holding a VIP means the address on the
   * interface (as keepalived), or owning the proxy data plane's listeners on it (no root).
   */
  readonly vipMode: 'address' | 'listener';
}

export interface VrrpSyncGroup extends Notifies {
  readonly at: Position;
  readonly name: string;
  readonly group: readonly string[];
  readonly trackInterface: readonly TrackedInterface[];
  readonly trackScript: readonly TrackedName[];
  readonly trackFile: readonly TrackedName[];
  readonly smtpAlert: boolean;
  readonly syncGroupTrackingWeight: boolean;
}

export type LvsSched =
  | 'rr'
  | 'wrr'
  | 'lc'
  | 'wlc'
  | 'lblc'
  | 'lblcr'
  | 'dh'
  | 'sh'
  | 'sed'
  | 'nq'
  | 'mh'
  | 'fo'
  | 'ovf'
  | 'twos';

export const LVS_SCHEDULERS: readonly LvsSched[] = [
  'rr',
  'wrr',
  'lc',
  'wlc',
  'lblc',
  'lblcr',
  'dh',
  'sh',
  'sed',
  'nq',
  'mh',
  'fo',
  'ovf',
  'twos',
];

export type LvsMethod = 'NAT' | 'DR' | 'TUN';

export interface TunnelSpec {
  readonly type: 'ipip' | 'gue' | 'gre';
  readonly port?: number;
  readonly csum?: 'nocsum' | 'csum' | 'remcsum';
}

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface SchedulerFlags {
  readonly flag1: boolean;
  readonly flag2: boolean;
  readonly flag3: boolean;
  readonly shPort: boolean;
  readonly shFallback: boolean;
  readonly mhPort: boolean;
  readonly mhFallback: boolean;
  /** One-packet scheduling (UDP). */
  readonly ops: boolean;
}

/** The common checker options, resolved through real_server and virtual_server defaults. */
export interface CheckerCommon {
  readonly at: Position;
  readonly connectIp?: string;
  readonly connectPort?: number;
  readonly bindto?: string;
  readonly bindPort?: number;
  readonly bindIf?: string;
  readonly fwmark?: number;
  readonly connectTimeout: number;
  readonly retry: number;
  readonly delayBeforeRetry: number;
  readonly warmup: number;
  readonly delayLoop: number;
  readonly alpha: boolean;
  readonly logAllFailures: boolean;
}

export interface HttpUrl {
  readonly at: Position;
  readonly path: string;
  readonly digest?: string;
  /** Inclusive ranges; default [[200, 299]] when neither status_code nor digest is given. */
  readonly statusCode: readonly (readonly [number, number])[];
  readonly virtualhost?: string;
  readonly regex?: string;
  readonly regexNoMatch: boolean;
  readonly regexOptions: readonly string[];
  readonly regexMinOffset?: number;
  readonly regexMaxOffset?: number;
}

export interface TcpCheck extends CheckerCommon {
  readonly type: 'TCP_CHECK';
}

export interface HttpCheck extends CheckerCommon {
  readonly type: 'HTTP_GET' | 'SSL_GET';
  readonly url: readonly HttpUrl[];
  readonly httpProtocol: '1.0' | '1.0C' | '1.1';
  readonly virtualhost?: string;
  readonly fastRecovery: boolean;
  readonly enableSni: boolean;
  readonly sniName?: string;
  readonly tlsCompliant: boolean;
}

export interface SmtpCheck extends CheckerCommon {
  readonly type: 'SMTP_CHECK';
  readonly heloName: string;
}

export interface DnsCheck extends CheckerCommon {
  readonly type: 'DNS_CHECK';
  readonly queryType: 'A' | 'NS' | 'CNAME' | 'SOA' | 'MX' | 'TXT' | 'AAAA';
  readonly name: string;
}

export interface MiscCheck extends CheckerCommon {
  readonly type: 'MISC_CHECK';
  readonly miscPath: ScriptSpec;
  readonly miscTimeout: number;
  readonly miscDynamic: boolean;
}

export interface UdpCheck extends CheckerCommon {
  readonly type: 'UDP_CHECK';
  readonly payload?: string;
  readonly requireReply?: string;
  readonly minReplyLength: number;
  readonly maxReplyLength: number;
}

export interface PingCheck extends CheckerCommon {
  readonly type: 'PING_CHECK';
}

export interface FileCheck {
  readonly type: 'FILE_CHECK';
  readonly at: Position;
  readonly trackFile: string;
  readonly weight?: number;
  readonly weightReverse: boolean;
  readonly dynamic: boolean;
}

export interface BfdCheck {
  readonly type: 'BFD_CHECK';
  readonly at: Position;
  readonly name: string;
  readonly alpha: boolean;
}

export type Checker =
  | TcpCheck
  | HttpCheck
  | SmtpCheck
  | DnsCheck
  | MiscCheck
  | UdpCheck
  | PingCheck
  | FileCheck
  | BfdCheck;

export type CheckerType = Checker['type'];

export interface RealServer {
  readonly at: Position;
  readonly address: string;
  readonly family: Family;
  /** Undefined: the client's destination port is used (persistent / fwmark services). */
  readonly port?: number;
  readonly weight: number;
  readonly lvsMethod: LvsMethod;
  readonly tunnel?: TunnelSpec;
  readonly notifyUp?: ScriptSpec;
  readonly notifyDown?: ScriptSpec;
  readonly uthreshold: number;
  readonly lthreshold: number;
  readonly inhibitOnFailure: boolean;
  readonly smtpAlert: boolean;
  readonly virtualhost?: string;
  readonly checkers: readonly Checker[];
}

export interface SorryServer {
  readonly address: string;
  readonly port?: number;
  readonly lvsMethod: LvsMethod;
}

export type VirtualServerAddress =
  | {
      readonly kind: 'ip';
      readonly address: string;
      readonly family: Family;
      readonly port?: number;
    }
  | { readonly kind: 'fwmark'; readonly fwmark: number; readonly family?: Family }
  | { readonly kind: 'group'; readonly name: string };

export const PROXY_PROTOCOL_VERSIONS = ['v1', 'v2'] as const;
export type ProxyProtocolVersion = (typeof PROXY_PROTOCOL_VERSIONS)[number];

export interface VirtualServer {
  readonly at: Position;
  /** Stable identity for reload diffs: `tcp:10.0.0.1:80`, `fwmark:5`, `group:NAME`. */
  readonly key: string;
  readonly address: VirtualServerAddress;
  readonly protocol: Protocol;
  readonly lvsSched: LvsSched;
  readonly lvsMethod: LvsMethod;
  readonly tunnel?: TunnelSpec;
  readonly schedFlags: SchedulerFlags;
  readonly hashed: boolean;
  /** Seconds; undefined when the service is not persistent (absent or `0`). */
  readonly persistenceTimeout?: number;
  readonly persistenceGranularity?: string;
  readonly persistenceEngine?: string;
  readonly haSuspend: boolean;
  readonly delayLoop: number;
  readonly alpha: boolean;
  readonly omega: boolean;
  readonly virtualhost?: string;
  readonly ipFamily?: Family;
  readonly quorum: number;
  readonly hysteresis: number;
  readonly quorumUp?: ScriptSpec;
  readonly quorumDown?: ScriptSpec;
  readonly sorryServer?: SorryServer;
  readonly sorryServerInhibit: boolean;
  /** tandem extension: PROXY protocol header towards real servers (proxy data plane only). */
  readonly proxyProtocol?: ProxyProtocolVersion;
  readonly smtpAlert?: boolean;
  readonly realServers: readonly RealServer[];
}

export type VsgMember =
  | {
      readonly kind: 'range';
      readonly first: string;
      readonly last: string;
      readonly family: Family;
      readonly port?: number;
    }
  | { readonly kind: 'fwmark'; readonly fwmark: number; readonly family?: Family };

export interface VirtualServerGroup {
  readonly at: Position;
  readonly name: string;
  readonly members: readonly VsgMember[];
}

export interface SslConfig {
  readonly password?: string;
  readonly ca?: string;
  readonly certificate?: string;
  readonly key?: string;
}

export interface Config {
  readonly global: GlobalDefs;
  readonly staticIpaddress: readonly IpAddressSpec[];
  readonly staticRoutes: readonly RouteSpec[];
  readonly staticRules: readonly RouteSpec[];
  readonly vrrpScripts: readonly VrrpScript[];
  readonly trackFiles: readonly TrackFile[];
  readonly vrrpSyncGroups: readonly VrrpSyncGroup[];
  readonly vrrpInstances: readonly VrrpInstance[];
  readonly ssl?: SslConfig;
  readonly virtualServerGroups: readonly VirtualServerGroup[];
  readonly virtualServers: readonly VirtualServer[];
}
