// What the nft data plane refuses at configuration time, with file:line:col: fwmark and port 0
// virtual servers, LVS-TUN, mixed DR/NAT. The counting schedulers are not refused (they are
// approximated and logged as such); the message text is user interface, so it is pinned.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileConfig, formatDiagnostics, memoryFs } from '../../../../src/config/index.js';
import {
  approximationNote,
  checkNftConfig,
  serviceMethod,
} from '../../../../src/dataplane/nft/support.js';
import { dest, svc } from '../../../helpers/snapshot.js';

const FILE = '/etc/keepalived/keepalived.conf';

function check(text: string): string {
  const r = compileConfig(FILE, {
    hostname: 'lb1',
    user: 'root',
    random: () => 0.5,
    env: {},
    fs: memoryFs({ [FILE]: text }),
  });
  assert.ok(r.ok, formatDiagnostics(r.diagnostics));
  return formatDiagnostics(checkNftConfig(r.config));
}

test('DR and NAT virtual servers with any scheduler pass', () => {
  const text = ['rr', 'wrr', 'sh', 'dh', 'mh', 'wlc', 'lblcr', 'twos']
    .map(
      (algo, i) => `virtual_server 10.0.0.${i + 1} 80 {
  lb_algo ${algo}
  lb_kind ${i % 2 === 0 ? 'DR' : 'NAT'}
  protocol TCP
  real_server 10.0.1.1 80 { weight 1 }
}
`,
    )
    .join('');
  assert.equal(check(text), '');
});

test('fwmark, port 0, TUN and mixed DR/NAT are errors at their place', () => {
  const text = `virtual_server fwmark 5 {
  lb_kind DR
  real_server 10.0.1.1 80 { weight 1 }
}
virtual_server 10.0.0.2 0 {
  lb_kind DR
  persistence_timeout 60
  protocol TCP
  real_server 10.0.1.1 0 { weight 1 }
}
virtual_server 10.0.0.3 80 {
  lb_kind DR
  protocol TCP
  real_server 10.0.1.1 80 {
    lb_kind TUN
  }
}
virtual_server 10.0.0.4 80 {
  lb_kind DR
  protocol TCP
  real_server 10.0.1.1 80 { weight 1 }
  real_server 10.0.1.2 80 { lb_kind NAT }
}
`;
  assert.equal(
    check(text),
    [
      `${FILE}:1:1: error: fwmark virtual servers cannot be programmed by the nft data plane [CFG_DATAPLANE_UNSUPPORTED]`,
      `${FILE}:5:1: error: virtual servers of all ports (port 0) cannot be programmed by the nft data plane [CFG_DATAPLANE_UNSUPPORTED]`,
      `${FILE}:14:3: error: lb_kind TUN cannot be programmed by the nft data plane (DR or NAT) [CFG_DATAPLANE_UNSUPPORTED]`,
      `${FILE}:18:1: error: the nft data plane needs one lb_kind per virtual server (DR or NAT), not both [CFG_DATAPLANE_UNSUPPORTED]`,
      '',
    ].join('\n'),
  );
});

test('a group with a fwmark member is refused at the virtual server using it', () => {
  const text = `virtual_server_group G {
  10.0.0.1 80
  fwmark 3
}
virtual_server group G {
  lb_kind NAT
  protocol TCP
  real_server 10.0.1.1 80 { weight 1 }
}
`;
  assert.match(check(text), /:5:1: error: virtual_server_group G has fwmark or port 0 members/);
});

test('runtime view: DR when every dest routes, NAT when every one masquerades', () => {
  assert.equal(serviceMethod(svc('TCP', '10.0.0.1', 80, { dests: [dest('10.0.1.1', 80)] })), 'dr');
  const nat = dest('10.0.1.1', 80, { method: 'masq' });
  assert.equal(serviceMethod(svc('TCP', '10.0.0.1', 80, { dests: [nat] })), 'nat');
  assert.equal(serviceMethod(svc('TCP', '10.0.0.1', 80)), undefined);
});

test('the counting schedulers are said to be approximated, the others are not', () => {
  assert.match(approximationNote('wlc') ?? '', /^lb_algo wlc needs live connection counts/);
  assert.equal(approximationNote('rr'), undefined);
});
