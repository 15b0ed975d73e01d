// Small factories for compiled keepalived configurations (src/config/model.ts) in tests: every
// field gets keepalived's default so a test only spells out what it is about.

import type {
  Config,
  GlobalDefs,
  RealServer,
  SchedulerFlags,
  VirtualServer,
} from '../../src/config/model.js';

const at = { file: 'test.conf', line: 1, column: 1 };

export function globalDefs(overrides: Partial<GlobalDefs> = {}): GlobalDefs {
  return {
    notificationEmail: [],
    notificationEmailFrom: '',
    smtpHeloName: 'localhost',
    smtpConnectTimeout: 30,
    noEmailFaults: false,
    checkerLogAllFailures: false,
    routerId: 'test',
    enableScriptSecurity: false,
    vrrpNotifyPriorityChanges: false,
    vrrpMcastGroup4: '224.0.0.18',
    vrrpMcastGroup6: 'ff02::12',
    vrrpVersion: 2,
    vrrpGarpMasterDelay: 5,
    vrrpGarpMasterRepeat: 5,
    vrrpGarpMasterRefresh: 0,
    vrrpGarpMasterRefreshRepeat: 1,
    vrrpGarpLowerPrioDelay: 5,
    vrrpGarpLowerPrioRepeat: 5,
    vrrpGarpInterval: 0,
    vrrpGnaInterval: 0,
    vrrpMinGarp: false,
    vrrpLowerPrioNoAdvert: false,
    vrrpHigherPrioSendAdvert: false,
    vrrpDownTimerAdverts: 3,
    vrrpCheckUnicastSrc: false,
    vrrpSkipCheckAdvAddr: false,
    vrrpStrict: false,
    vrrpStartupDelay: 0,
    logUnknownVrids: false,
    defaultInterface: 'eth0',
    lvsTimeouts: {},
    lvsFlush: false,
    lvsFlushOnStop: false,
    startupScriptTimeout: 10,
    shutdownScriptTimeout: 10,
    ...overrides,
  };
}

export function config(virtualServers: VirtualServer[], global: Partial<GlobalDefs> = {}): Config {
  return {
    global: globalDefs(global),
    staticIpaddress: [],
    staticRoutes: [],
    staticRules: [],
    vrrpScripts: [],
    trackFiles: [],
    vrrpSyncGroups: [],
    vrrpInstances: [],
    virtualServerGroups: [],
    virtualServers,
  };
}

export function schedFlags(overrides: Partial<SchedulerFlags> = {}): SchedulerFlags {
  return {
    flag1: false,
    flag2: false,
    flag3: false,
    shPort: false,
    shFallback: false,
    mhPort: false,
    mhFallback: false,
    ops: false,
    ...overrides,
  };
}

/** `port: undefined` means a real server written without a port. */
export function realServer(
  address: string,
  overrides: Omit<Partial<RealServer>, 'port'> & { port?: number | undefined } = {},
): RealServer {
  const { port, ...rest } = { port: 80 as number | undefined, ...overrides };
  return {
    ...(port === undefined ? {} : { port }),
    at,
    address,
    family: address.includes(':') ? 'inet6' : 'inet',
    weight: 1,
    lvsMethod: 'NAT',
    uthreshold: 0,
    lthreshold: 0,
    inhibitOnFailure: false,
    smtpAlert: false,
    checkers: [],
    ...rest,
  };
}

/** `virtual_server ADDR PORT` (protocol TCP) with the given real servers. */
export function virtualServer(
  address: string,
  port: number,
  realServers: RealServer[],
  overrides: Partial<VirtualServer> = {},
): VirtualServer {
  const protocol = overrides.protocol ?? 'TCP';
  const family = address.includes(':') ? 'inet6' : 'inet';
  return {
    at,
    key: `${protocol.toLowerCase()}:${address}:${port}`,
    address: { kind: 'ip', address, family, port },
    protocol,
    lvsSched: 'rr',
    lvsMethod: 'NAT',
    schedFlags: schedFlags(),
    hashed: false,
    haSuspend: false,
    delayLoop: 60,
    alpha: false,
    omega: false,
    quorum: 1,
    hysteresis: 0,
    sorryServerInhibit: false,
    realServers,
    ...overrides,
  };
}

export function fwmarkServer(
  fwmark: number,
  realServers: RealServer[],
  overrides: Partial<VirtualServer> = {},
) {
  return virtualServer('0.0.0.0', 0, realServers, {
    key: `fwmark:${fwmark}`,
    address: { kind: 'fwmark', fwmark },
    ...overrides,
  });
}
