// global_defs (keepalived.conf(5) "GLOBAL DEFINITIONS"; shared/reference/keepalived.md §1.3).
// Defaults that depend on the host (router_id, smtp_helo_name, notification_email_from) are
// resolved in finishGlobal with the host name and user the compiler is given.

import type { FifoSpec, GlobalDefs, LvsSyncDaemon } from '../model.js';
import type { Statement } from '../parser.js';
import {
  ignored,
  keyword,
  registerBlock,
  unsupported,
  type BlockSpec,
  type Cx,
  type Keyword,
} from '../schema.js';
import { arity, integer, ip, port } from '../values.js';
import { builders, compact, type Draft } from './common.js';

export interface GlobalDraft extends Draft<GlobalDefs> {
  notificationEmail: string[];
  lvsTimeouts: { tcp?: number; tcpfin?: number; udp?: number };
}

const emailList = registerBlock<GlobalDraft>({
  name: 'notification_email',
  doc: 'E-mail addresses alerts are sent to, one or more per line.',
  keywords: [],
  newDraft: () => ({ notificationEmail: [], lvsTimeouts: {} }),
  item: {
    syntax: 'ADDRESS',
    apply: (d, st) => {
      for (const w of [st.keyword, ...st.args]) d.notificationEmail.push(w.text);
    },
  },
});

function fifo<D>(name: string, doc: string, set: (d: D, v: FifoSpec) => void): Keyword<D> {
  return keyword<D>({
    name,
    syntax: 'PATH [USER [GROUP]]',
    doc,
    apply: (d, st, cx) => {
      if (!arity(st, cx, 1, 3, 'PATH [USER [GROUP]]')) return;
      const [path, user, group] = st.args.map((w) => w.text);
      if (path === undefined) return;
      set(d, {
        path,
        ...(user === undefined ? {} : { user }),
        ...(group === undefined ? {} : { group }),
      });
    },
  });
}

function smtpServer(d: GlobalDraft, st: Statement, cx: Cx): void {
  if (!arity(st, cx, 1, 2, 'HOST|IP [PORT]')) return;
  const [host, p] = st.args;
  if (host === undefined) return;
  const portNo = p === undefined ? 25 : port(p, cx);
  if (portNo !== undefined) d.smtpServer = { host: host.text, port: portNo };
}

function lvsTimeouts(d: GlobalDraft, st: Statement, cx: Cx): void {
  const syntax = '[tcp SECS] [tcpfin SECS] [udp SECS]';
  if (!arity(st, cx, 2, 6, syntax)) return;
  for (let i = 0; i < st.args.length; i += 2) {
    const name = st.args[i];
    const value = st.args[i + 1];
    if (name === undefined) break;
    if (name.text !== 'tcp' && name.text !== 'tcpfin' && name.text !== 'udp') {
      cx.sink.error(
        'CFG_INVALID_VALUE',
        name.at,
        `invalid lvs_timeouts item '${name.text}': expected tcp, tcpfin or udp`,
      );
      continue;
    }
    if (value === undefined) {
      cx.sink.error('CFG_MISSING_ARGUMENT', name.at, `'${name.text}' needs a number of seconds`);
      break;
    }
    const n = integer(value, cx, 1, 86400 * 31);
    if (n !== undefined) d.lvsTimeouts[name.text] = n;
  }
}

function lvsSyncDaemon(d: GlobalDraft, st: Statement, cx: Cx): void {
  const syntax = 'INTERFACE [[inst] INSTANCE] [id N] [maxlen N] [port N] [ttl N] [group IP]';
  if (!arity(st, cx, 1, 13, syntax)) return;
  const [iface, ...rest] = st.args;
  if (iface === undefined) return;
  const out: { -readonly [K in keyof LvsSyncDaemon]: LvsSyncDaemon[K] } = {
    interface: iface.text,
    port: 8848,
  };
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i];
    if (w === undefined) break;
    const next = rest[i + 1];
    const num = (min: number, max: number): number | undefined => {
      i++;
      if (next === undefined) {
        cx.sink.error('CFG_MISSING_ARGUMENT', w.at, `'${w.text}' needs a value`);
        return undefined;
      }
      return integer(next, cx, min, max);
    };
    switch (w.text) {
      case 'id': {
        const v = num(0, 255);
        if (v !== undefined) out.syncId = v;
        break;
      }
      case 'maxlen': {
        const v = num(1, 65507);
        if (v !== undefined) out.maxlen = v;
        break;
      }
      case 'port': {
        const v = num(1, 65535);
        if (v !== undefined) out.port = v;
        break;
      }
      case 'ttl': {
        const v = num(1, 255);
        if (v !== undefined) out.ttl = v;
        break;
      }
      case 'group': {
        i++;
        const g = next === undefined ? undefined : ip(next, cx);
        if (g !== undefined) out.group = g.text;
        break;
      }
      case 'inst':
        i++;
        if (next !== undefined) out.instance = next.text;
        break;
      default:
        out.instance = w.text;
    }
  }
  d.lvsSyncDaemon = out;
}

const { address, choice, command, flag, int, seconds, text } = builders<GlobalDraft>();

const processTuning = [
  'vrrp_priority',
  'checker_priority',
  'bfd_priority',
  'vrrp_no_swap',
  'checker_no_swap',
  'bfd_no_swap',
  'vrrp_rt_priority',
  'checker_rt_priority',
  'bfd_rt_priority',
  'vrrp_cpu_affinity',
  'checker_cpu_affinity',
  'bfd_cpu_affinity',
  'vrrp_rlimit_rttime',
  'vrrp_rlimit_rtime',
  'checker_rlimit_rttime',
  'checker_rlimit_rtime',
  'bfd_rlimit_rttime',
  'bfd_rlimit_rtime',
  'process_names',
  'process_name',
  'vrrp_process_name',
  'checker_process_name',
  'bfd_process_name',
  'tmp_config_directory',
  'config_save_dir',
  'umask',
  'random_seed',
  'vrrp_netlink_cmd_rcv_bufs',
  'vrrp_netlink_cmd_rcv_bufs_force',
  'vrrp_netlink_monitor_rcv_bufs',
  'vrrp_netlink_monitor_rcv_bufs_force',
  'lvs_netlink_cmd_rcv_bufs',
  'lvs_netlink_cmd_rcv_bufs_force',
  'lvs_netlink_monitor_rcv_bufs',
  'lvs_netlink_monitor_rcv_bufs_force',
  'vrrp_rx_bufs_policy',
  'vrrp_rx_bufs_multiplier',
  'rs_init_notifies',
  'data_use_instance',
  'include_check',
];

const notImplemented = [
  'vrrp_iptables',
  'vrrp_ipsets',
  'nftables',
  'nftables_priority',
  'nftables_counters',
  'nftables_ifindex',
  'nftables_ipvs',
  'nftables_ipvs_priority',
  'nftables_ipvs_start_fwmark',
  'snmp_socket',
  'enable_snmp_vrrp',
  'enable_snmp_keepalived',
  'enable_snmp_checker',
  'enable_snmp_rfc',
  'enable_snmp_rfcv2',
  'enable_snmp_rfcv3',
  'enable_traps',
  'enable_dbus',
  'dbus_service_name',
  'dynamic_interfaces',
  'disable_local_igmp',
  'vmac_prefix',
  'vmac_addr_prefix',
  'vrrp_garp_extra_if',
  'reload_check_config',
  'reload_time_file',
  'reload_repeat',
  'reload_file',
  'max_auto_priority',
  'min_auto_priority_delay',
  'fifo_write_vrrp_states_on_reload',
  'vrrp_delay_after_boot',
  'vrrp_owner_ignore_adverts',
  'bfd_notify_priority_changes',
  'vrrp_startup_delay_script',
];

export const globalDefs: BlockSpec<GlobalDraft> = registerBlock<GlobalDraft>({
  name: 'global_defs',
  doc: 'Settings for the whole daemon: alerts, identity, script security, VRRP and LVS defaults.',
  newDraft: () => ({ notificationEmail: [], lvsTimeouts: {} }),
  keywords: [
    keyword<GlobalDraft>({
      name: 'notification_email',
      syntax: '{ ADDRESS ... }',
      doc: 'Recipients of alert e-mails.',
      child: emailList as BlockSpec<unknown>,
      apply: (d, st, cx) => {
        const list = emailList.newDraft();
        for (const item of st.block?.body ?? []) emailList.item?.apply(list, item, cx);
        d.notificationEmail.push(...list.notificationEmail);
      },
    }),
    text(
      'notification_email_from',
      'ADDRESS',
      'From: address of alert e-mails (default USER@HOSTNAME).',
      (d, v) => {
        d.notificationEmailFrom = v;
      },
    ),
    keyword<GlobalDraft>({
      name: 'smtp_server',
      syntax: 'HOST|IP [PORT]',
      doc: 'SMTP relay for alerts (port 25 by default).',
      apply: smtpServer,
    }),
    text(
      'smtp_helo_name',
      'NAME',
      'HELO name sent to the SMTP server (default: host name).',
      (d, v) => {
        d.smtpHeloName = v;
      },
    ),
    int(
      'smtp_connect_timeout',
      1,
      3600,
      'Seconds to wait for the SMTP server (default 30).',
      (d, v) => {
        d.smtpConnectTimeout = v;
      },
    ),
    flag(
      'smtp_alert',
      'Default for every smtp_alert (VRRP and checkers).',
      (d, v) => (d.smtpAlert = v),
    ),
    flag(
      'smtp_alert_vrrp',
      'Default smtp_alert of VRRP instances and sync groups.',
      (d, v) => (d.smtpAlertVrrp = v),
    ),
    flag(
      'smtp_alert_checker',
      'Default smtp_alert of real servers and checkers.',
      (d, v) => (d.smtpAlertChecker = v),
    ),
    flag(
      'no_email_faults',
      'No e-mail when a VRRP instance enters or leaves FAULT.',
      (d, v) => (d.noEmailFaults = v),
    ),
    flag(
      'checker_log_all_failures',
      'Log every failed check, not only state changes.',
      (d, v) => (d.checkerLogAllFailures = v),
    ),
    flag(
      'no_checker_emails',
      'Mail only when a real server is added or removed.',
      () => undefined,
      {
        status: 'unsupported',
        deprecated: {
          message: "'no_checker_emails' is not implemented by tandem; it is ignored",
          severity: 'warning',
        },
      },
    ),
    text(
      'router_id',
      'NAME',
      'Name of this director in alerts (default: host name).',
      (d, v) => (d.routerId = v),
    ),
    ignored<GlobalDraft>(
      'lvs_id',
      'NAME',
      'keepalived 1.1 name of router_id.',
      "'lvs_id' is the keepalived 1.1 name of 'router_id' and was removed in keepalived 2; tandem accepts and ignores it (use router_id)",
    ),
    keyword<GlobalDraft>({
      name: 'script_user',
      syntax: 'USER [GROUP]',
      doc: 'User (and group) scripts run as by default.',
      apply: (d, st, cx) => {
        if (!arity(st, cx, 1, 2, 'USER [GROUP]')) return;
        const [user, group] = st.args.map((w) => w.text);
        if (user !== undefined) d.scriptUser = group === undefined ? { user } : { user, group };
      },
    }),
    flag(
      'enable_script_security',
      'Refuse scripts writable by non-root users.',
      (d, v) => (d.enableScriptSecurity = v),
    ),
    fifo(
      'notify_fifo',
      'FIFO receiving every VRRP and checker event.',
      (d, v) => (d.notifyFifo = v),
    ),
    command(
      'notify_fifo_script',
      'Script started to read notify_fifo.',
      (d, v) => (d.notifyFifoScript = v),
    ),
    fifo('vrrp_notify_fifo', 'FIFO receiving VRRP events.', (d, v) => (d.vrrpNotifyFifo = v)),
    command(
      'vrrp_notify_fifo_script',
      'Script started to read vrrp_notify_fifo.',
      (d, v) => (d.vrrpNotifyFifoScript = v),
    ),
    fifo(
      'lvs_notify_fifo',
      'FIFO receiving checker (LVS) events.',
      (d, v) => (d.lvsNotifyFifo = v),
    ),
    command(
      'lvs_notify_fifo_script',
      'Script started to read lvs_notify_fifo.',
      (d, v) => (d.lvsNotifyFifoScript = v),
    ),
    flag(
      'vrrp_notify_priority_changes',
      'Report priority changes on the FIFOs.',
      (d, v) => (d.vrrpNotifyPriorityChanges = v),
    ),
    address(
      'vrrp_mcast_group4',
      'IPv4 multicast group of adverts (224.0.0.18).',
      (d, v) => (d.vrrpMcastGroup4 = v.text),
    ),
    address(
      'vrrp_mcast_group6',
      'IPv6 multicast group of adverts (ff02::12).',
      (d, v) => (d.vrrpMcastGroup6 = v.text),
    ),
    choice(
      'vrrp_version',
      ['2', '3'] as const,
      'Default VRRP version (2).',
      (d, v) => (d.vrrpVersion = v === '2' ? 2 : 3),
    ),
    seconds(
      'vrrp_garp_master_delay',
      0,
      1000,
      'Delay of the second gratuitous ARP burst (5; 0 = none).',
      (d, v) => (d.vrrpGarpMasterDelay = v),
    ),
    int(
      'vrrp_garp_master_repeat',
      0,
      1000,
      'Gratuitous ARPs per burst (5).',
      (d, v) => (d.vrrpGarpMasterRepeat = v),
    ),
    seconds(
      'vrrp_garp_master_refresh',
      0,
      86400,
      'Refresh gratuitous ARPs every N seconds as master (0 = never).',
      (d, v) => (d.vrrpGarpMasterRefresh = v),
    ),
    int(
      'vrrp_garp_master_refresh_repeat',
      1,
      1000,
      'Gratuitous ARPs per refresh (1).',
      (d, v) => (d.vrrpGarpMasterRefreshRepeat = v),
    ),
    seconds(
      'vrrp_garp_lower_prio_delay',
      0,
      1000,
      'Delay of the burst after a lower-priority advert (= master delay).',
      (d, v) => (d.vrrpGarpLowerPrioDelay = v),
    ),
    int(
      'vrrp_garp_lower_prio_repeat',
      0,
      1000,
      'Gratuitous ARPs after a lower-priority advert (= master repeat).',
      (d, v) => (d.vrrpGarpLowerPrioRepeat = v),
    ),
    seconds(
      'vrrp_garp_interval',
      0,
      1,
      'Spacing of gratuitous ARPs (0).',
      (d, v) => (d.vrrpGarpInterval = v),
    ),
    seconds(
      'vrrp_gna_interval',
      0,
      1,
      'Spacing of unsolicited neighbour adverts (0).',
      (d, v) => (d.vrrpGnaInterval = v),
    ),
    flag('vrrp_min_garp', 'One gratuitous ARP, no second burst.', (d, v) => (d.vrrpMinGarp = v)),
    flag(
      'vrrp_lower_prio_no_advert',
      'Do not answer lower-priority adverts.',
      (d, v) => (d.vrrpLowerPrioNoAdvert = v),
    ),
    flag(
      'vrrp_higher_prio_send_advert',
      'Send one advert before yielding to a higher priority.',
      (d, v) => (d.vrrpHigherPrioSendAdvert = v),
    ),
    int(
      'vrrp_down_timer_adverts',
      1,
      100,
      'Adverts missed before the master is declared down (3).',
      (d, v) => (d.vrrpDownTimerAdverts = v),
    ),
    flag(
      'vrrp_check_unicast_src',
      'Accept unicast adverts only from configured peers.',
      (d, v) => (d.vrrpCheckUnicastSrc = v),
    ),
    flag(
      'vrrp_skip_check_adv_addr',
      'Skip the VIP list check for repeated adverts.',
      (d, v) => (d.vrrpSkipCheckAdvAddr = v),
    ),
    flag(
      'vrrp_strict',
      'Enforce RFC rules strictly (see keepalived.conf(5)).',
      (d, v) => (d.vrrpStrict = v),
    ),
    seconds(
      'vrrp_startup_delay',
      0,
      3600,
      'Delay VRRP at start-up.',
      (d, v) => (d.vrrpStartupDelay = v),
    ),
    flag(
      'log_unknown_vrids',
      'Log adverts for VRIDs not configured here.',
      (d, v) => (d.logUnknownVrids = v),
    ),
    text(
      'default_interface',
      'INTERFACE',
      'Interface of static addresses without dev (eth0).',
      (d, v) => (d.defaultInterface = v),
    ),
    keyword<GlobalDraft>({
      name: 'lvs_timeouts',
      syntax: '[tcp SECS] [tcpfin SECS] [udp SECS]',
      doc: 'Connection timeouts of the virtual server table (ipvsadm --set).',
      apply: lvsTimeouts,
    }),
    flag('lvs_flush', 'Flush the virtual server table at start.', (d, v) => (d.lvsFlush = v)),
    flag('lvs_flush_on_stop', 'Flush the whole table at stop.', (d, v) => (d.lvsFlushOnStop = v), {
      aliases: [{ name: 'lvs_flush_onstop' }],
    }),
    keyword<GlobalDraft>({
      name: 'lvs_sync_daemon',
      syntax: 'INTERFACE [INSTANCE] [id N] [maxlen N] [port N] [ttl N] [group IP]',
      doc: 'Run the kernel connection sync daemon, following a VRRP instance.',
      apply: lvsSyncDaemon,
    }),
    command('startup_script', 'Script run at start.', (d, v) => (d.startupScript = v)),
    int(
      'startup_script_timeout',
      1,
      1000,
      'Timeout of startup_script (10).',
      (d, v) => (d.startupScriptTimeout = v),
    ),
    command('shutdown_script', 'Script run at stop.', (d, v) => (d.shutdownScript = v)),
    int(
      'shutdown_script_timeout',
      1,
      1000,
      'Timeout of shutdown_script (10).',
      (d, v) => (d.shutdownScriptTimeout = v),
    ),
    ...processTuning.map((name) =>
      ignored<GlobalDraft>(
        name,
        'VALUE',
        'Process tuning of keepalived.',
        `'${name}' tunes keepalived's own processes; it has no effect in tandem`,
      ),
    ),
    ...notImplemented.map((name) =>
      unsupported<GlobalDraft>(name, 'VALUE', 'keepalived feature not implemented by tandem.'),
    ),
  ],
});

export interface HostFacts {
  readonly hostname: string;
  readonly user: string;
}

export function finishGlobal(d: GlobalDraft, host: HostFacts): GlobalDefs {
  const masterDelay = d.vrrpGarpMasterDelay ?? 5;
  const masterRepeat = d.vrrpGarpMasterRepeat ?? 5;
  return compact<GlobalDefs>({
    ...d,
    notificationEmail: d.notificationEmail,
    notificationEmailFrom: d.notificationEmailFrom ?? `${host.user}@${host.hostname}`,
    smtpHeloName: d.smtpHeloName ?? host.hostname,
    smtpConnectTimeout: d.smtpConnectTimeout ?? 30,
    noEmailFaults: d.noEmailFaults ?? false,
    checkerLogAllFailures: d.checkerLogAllFailures ?? false,
    routerId: d.routerId ?? host.hostname,
    enableScriptSecurity: d.enableScriptSecurity ?? false,
    vrrpNotifyPriorityChanges: d.vrrpNotifyPriorityChanges ?? false,
    vrrpMcastGroup4: d.vrrpMcastGroup4 ?? '224.0.0.18',
    vrrpMcastGroup6: d.vrrpMcastGroup6 ?? 'ff02::12',
    vrrpVersion: d.vrrpVersion ?? 2,
    vrrpGarpMasterDelay: masterDelay,
    vrrpGarpMasterRepeat: masterRepeat,
    vrrpGarpMasterRefresh: d.vrrpGarpMasterRefresh ?? 0,
    vrrpGarpMasterRefreshRepeat: d.vrrpGarpMasterRefreshRepeat ?? 1,
    vrrpGarpLowerPrioDelay: d.vrrpGarpLowerPrioDelay ?? masterDelay,
    vrrpGarpLowerPrioRepeat: d.vrrpGarpLowerPrioRepeat ?? masterRepeat,
    vrrpGarpInterval: d.vrrpGarpInterval ?? 0,
    vrrpGnaInterval: d.vrrpGnaInterval ?? 0,
    vrrpMinGarp: d.vrrpMinGarp ?? false,
    vrrpLowerPrioNoAdvert: d.vrrpLowerPrioNoAdvert ?? false,
    vrrpHigherPrioSendAdvert: d.vrrpHigherPrioSendAdvert ?? false,
    vrrpDownTimerAdverts: d.vrrpDownTimerAdverts ?? 3,
    vrrpCheckUnicastSrc: d.vrrpCheckUnicastSrc ?? false,
    vrrpSkipCheckAdvAddr: d.vrrpSkipCheckAdvAddr ?? false,
    vrrpStrict: d.vrrpStrict ?? false,
    vrrpStartupDelay: d.vrrpStartupDelay ?? 0,
    logUnknownVrids: d.logUnknownVrids ?? false,
    defaultInterface: d.defaultInterface ?? 'eth0',
    lvsTimeouts: d.lvsTimeouts,
    lvsFlush: d.lvsFlush ?? false,
    lvsFlushOnStop: d.lvsFlushOnStop ?? false,
    startupScriptTimeout: d.startupScriptTimeout ?? 10,
    shutdownScriptTimeout: d.shutdownScriptTimeout ?? 10,
  });
}
