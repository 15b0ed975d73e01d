// Defaults, inheritance and cross-object checks of the compiled model.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileConfig, memoryFs, type CompileResult } from '../../../src/config/index.js';

function compile(text: string, interfaces?: string[]): CompileResult {
  return compileConfig('/k.conf', {
    hostname: 'h',
    user: 'u',
    fs: memoryFs({ '/k.conf': text }),
    ...(interfaces === undefined ? {} : { interfaces: new Set(interfaces) }),
  });
}
const codes = (r: CompileResult): string[] => r.diagnostics.map((d) => d.code);

test('vrrp_instance: state MASTER without priority is the owner (255); defaults from globals', () => {
  const r = compile(
    'global_defs {\n vrrp_garp_master_repeat 2\n}\nvrrp_instance A {\n state MASTER\n interface eth0\n virtual_router_id 9\n virtual_ipaddress {\n 10.1.1.1/24 dev eth0 label eth0:1\n }\n}\n',
  );
  assert.deepEqual(codes(r), []);
  const i = r.config.vrrpInstances[0];
  assert.equal(i?.priority, 255);
  assert.equal(i.garpMasterRepeat, 2);
  assert.equal(i.garpMasterDelay, 5);
  assert.equal(i.advertInt, 1);
  assert.equal(i.version, 2);
  assert.equal(i.mcastDstIp, '224.0.0.18');
  assert.equal(i.virtualIpaddress[0]?.prefixLength, 24);
  assert.equal(i.virtualIpaddress[0]?.label, 'eth0:1');
  assert.equal(r.config.global.notificationEmailFrom, 'u@h');
});

test('IPv6 VIPs force VRRPv3; v2 advert_int is rounded with a warning', () => {
  const r = compile(
    'vrrp_instance A {\n interface eth0\n virtual_router_id 1\n advert_int 0.5\n virtual_ipaddress {\n fe80::1\n 2001:db8::1/64\n }\n}\nvrrp_instance B {\n interface eth0\n virtual_router_id 2\n advert_int 1.5\n virtual_ipaddress {\n 10.0.0.1\n }\n}\n',
  );
  assert.equal(r.config.vrrpInstances[0]?.version, 3);
  assert.equal(r.config.vrrpInstances[0]?.advertInt, 0.5);
  assert.equal(r.config.vrrpInstances[1]?.advertInt, 2);
  assert.deepEqual(codes(r), ['CFG_OUT_OF_RANGE']);
});

test('duplicate VRIDs on one interface, unknown tracked scripts, missing VRID', () => {
  const inst = (n: string, id: string, extra = '') =>
    `vrrp_instance ${n} {\n interface eth0\n ${id}\n virtual_ipaddress {\n 10.0.0.${n.length}\n }\n${extra}}\n`;
  const r = compile(
    inst('A', 'virtual_router_id 5') +
      inst('BB', 'virtual_router_id 5', ' track_script {\n nope weight -20\n }\n') +
      inst('CCC', ''),
  );
  assert.deepEqual(codes(r).sort(), [
    'CFG_DUPLICATE_VRID',
    'CFG_MISSING_REQUIRED',
    'CFG_UNDEFINED_REFERENCE',
  ]);
});

test('virtual_server not held by any instance: a warning; absent interface: a warning', () => {
  const r = compile(
    'vrrp_instance A {\n interface ens9\n virtual_router_id 5\n virtual_ipaddress {\n 10.0.0.1\n }\n}\nvirtual_server 10.0.0.2 80 {\n protocol TCP\n}\n',
    ['lo', 'eth0'],
  );
  assert.deepEqual(codes(r), ['CFG_NO_SUCH_INTERFACE', 'CFG_VS_NOT_VIP']);
  assert.ok(r.ok, 'warnings only');
});

test('checker inheritance and per-type defaults', () => {
  const r = compile(
    'virtual_server 10.0.0.1 80 {\n protocol TCP\n delay_loop 10\n connect_timeout 2\n real_server 10.0.0.2 80 {\n  retry 4\n  HTTP_GET {\n   url {\n    path /h\n   }\n  }\n  DNS_CHECK {\n   type a\n  }\n  MISC_CHECK {\n   misc_path "/bin/check.sh \'a b\' c"\n  }\n }\n}\n',
  );
  assert.deepEqual(codes(r), ['CFG_SCRIPT_SECURITY']);
  const [http, dns, misc] = r.config.virtualServers[0]?.realServers[0]?.checkers ?? [];
  assert.ok(http?.type === 'HTTP_GET' && dns?.type === 'DNS_CHECK' && misc?.type === 'MISC_CHECK');
  assert.deepEqual(
    [http.retry, http.delayBeforeRetry, http.delayLoop, http.connectTimeout],
    [4, 3, 10, 2],
  );
  assert.deepEqual(http.url[0]?.statusCode, [[200, 299]]);
  assert.equal(dns.queryType, 'A');
  assert.equal(dns.delayBeforeRetry, 10);
  assert.deepEqual(misc.miscPath.argv, ['/bin/check.sh', 'a b', 'c']);
  assert.equal(misc.miscTimeout, 10);
});

test('legacy keywords: lb_algo/lb_kind silent, nat_mask ignored, persistence_timeout 0 = none', () => {
  const r = compile(
    'virtual_server 10.0.0.1 80 {\n protocol TCP\n lb_algo sh\n lb_kind TUN\n nat_mask 255.255.255.0\n persistence_timeout 0\n sh-port\n}\n',
  );
  assert.deepEqual(
    r.diagnostics.map((d) => `${d.severity}:${d.code}`),
    ['note:CFG_IGNORED'],
  );
  const vs = r.config.virtualServers[0];
  assert.equal(vs?.lvsSched, 'sh');
  assert.equal(vs.lvsMethod, 'TUN');
  assert.equal(vs.persistenceTimeout, undefined);
  assert.equal(vs.schedFlags.shPort, true);
  assert.equal(vs.key, 'tcp:10.0.0.1:80');
});

test('port may be omitted only for persistent services', () => {
  assert.deepEqual(codes(compile('virtual_server 10.0.0.1 {\n protocol TCP\n}\n')), [
    'CFG_MISSING_ARGUMENT',
  ]);
  assert.deepEqual(
    codes(compile('virtual_server 10.0.0.1 {\n protocol TCP\n persistence_timeout\n}\n')),
    [],
  );
});

test('no protocol: UDP with a warning where keepalived 2.2.7 reports it, not for fwmarks', () => {
  // keepalived -t: "Virtual server [10.0.0.1]:none:80: no protocol set - defaulting to UDP"; the
  // same for a group with an address member and for a persistent service without a port; nothing
  // for a fwmark service or a group of marks only.
  const at = (r: CompileResult): string[] =>
    r.diagnostics.map((d) => `${d.severity}:${d.code}@${d.at?.line ?? 0}:${d.at?.column ?? 0}`);
  const plain = compile('global_defs {\n router_id a\n}\n  virtual_server 10.0.0.1 80 {\n }\n');
  assert.deepEqual(at(plain), ['warning:CFG_SURPRISING_DEFAULT@4:3']);
  assert.match(plain.diagnostics[0]?.message ?? '', /defaults to UDP.*'protocol TCP'/);
  assert.ok(plain.ok, 'a warning only');
  assert.equal(plain.config.virtualServers[0]?.protocol, 'UDP');
  assert.equal(plain.config.virtualServers[0].key, 'udp:10.0.0.1:80');

  const tcp = compile('virtual_server 10.0.0.1 80 {\n protocol TCP\n}\n');
  assert.deepEqual(at(tcp), []);
  assert.equal(tcp.config.virtualServers[0]?.protocol, 'TCP');

  const persistent = compile('virtual_server 10.0.0.4 {\n persistence_timeout 300\n}\n');
  assert.deepEqual(at(persistent), ['warning:CFG_SURPRISING_DEFAULT@1:1']);
  assert.equal(persistent.config.virtualServers[0]?.key, 'udp:10.0.0.4:0');

  const mark = compile('virtual_server fwmark 7 {\n}\n');
  assert.deepEqual(at(mark), []);
  assert.equal(mark.config.virtualServers[0]?.key, 'fwmark:7');
  // keepalived -t: "Virtual server FWM 7: protocol specified for fwmark - protocol will be ignored".
  const markTcp = compile('virtual_server fwmark 7 {\n protocol TCP\n}\n');
  assert.deepEqual(at(markTcp), ['warning:CFG_IGNORED@1:1']);
  assert.match(markTcp.diagnostics[0]?.message ?? '', /has no effect on virtual_server fwmark 7/);

  const groups = compile(
    [
      'virtual_server_group ADDR {\n 10.0.0.2 80\n fwmark 8\n}',
      'virtual_server_group MARKS {\n fwmark 9\n}',
      'virtual_server group MARKS {\n}',
      'virtual_server group ADDR {\n}',
    ].join('\n'),
  );
  assert.deepEqual(at(groups), ['warning:CFG_SURPRISING_DEFAULT@10:1']);
  assert.equal(groups.config.virtualServers[1]?.protocol, 'UDP');
});

test('a keyword given twice warns and the later value wins', () => {
  const r = compile('global_defs {\n router_id a\n router_id b\n}\n');
  assert.deepEqual(codes(r), ['CFG_DUPLICATE_KEYWORD']);
  assert.equal(r.config.global.routerId, 'b');
});

test('VRRP on lo is refused; more than 255 VIPs is a warning', () => {
  const many = Array.from({ length: 256 }, (_, i) => `10.9.${i >> 8}.${i & 255}`).join('\n');
  const r = compile(
    `vrrp_instance A {\n interface lo\n virtual_router_id 5\n virtual_ipaddress {\n${many}\n }\n}\n`,
  );
  assert.deepEqual(
    r.diagnostics.map((d) => `${d.severity}:${d.code}`),
    ['error:CFG_INVALID_VALUE', 'warning:CFG_OUT_OF_RANGE'],
  );
});

test('fixes from the examples review: script user order, weights, UDP hex, group prefixes, bare notify_deleted', () => {
  const r = compile(
    [
      'global_defs {\n enable_script_security\n}',
      'vrrp_script s {\n user nobody\n script "/bin/true"\n}',
      'track_file f {\n file /tmp/f\n weight 1000\n}',
      'vrrp_instance A {\n interface eth0\n virtual_router_id 5\n virtual_ipaddress {\n 10.0.0.1\n }\n track_script {\n s weight 254\n }\n notify_deleted\n}',
      'virtual_server_group G {\n 10.0.0.1/30 80\n}',
      'virtual_server group G {\n protocol TCP\n real_server 10.1.0.1 80 {\n UDP_CHECK {\n payload Ab12f 3 456 546443123\n require_reply 0x 12\n }\n }\n}',
    ].join('\n'),
  );
  assert.deepEqual(codes(r), []);
  assert.equal(r.config.vrrpScripts[0]?.script.user, 'nobody');
  assert.equal(r.config.trackFiles[0]?.weight, 1000);
  assert.equal(r.config.vrrpInstances[0]?.trackScript[0]?.weight, 254);
  assert.deepEqual(r.config.virtualServerGroups[0]?.members[0], {
    kind: 'range',
    first: '10.0.0.0',
    last: '10.0.0.3',
    family: 'inet',
    port: 80,
  });
  const udp = r.config.virtualServers[0]?.realServers[0]?.checkers[0];
  assert.ok(udp?.type === 'UDP_CHECK');
  assert.equal(udp.payload, 'ab12f3456546443123');
  assert.equal(udp.requireReply, '0x12');
  assert.deepEqual(
    codes(
      compile(
        'virtual_server 10.0.0.1 80 {\n protocol TCP\n real_server 10.0.0.2 80 {\n UDP_CHECK {\n payload zz\n }\n }\n}\n',
      ),
    ),
    ['CFG_INVALID_VALUE'],
  );
});
