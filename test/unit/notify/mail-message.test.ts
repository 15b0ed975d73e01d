// Which events mail and what the mails say (keepalived.md §2.9, §3.5): the policy is compiled
// from real keepalived.conf text so the tri-state smtp_alert defaults are exercised end to end.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileConfig, memoryFs } from '../../../src/config/index.js';
import type { NotifyEvent } from '../../../src/notify/events.js';
import {
  checkerLine,
  composeMail,
  mailPolicy,
  selectMail,
  type MailedStates,
  type MailPolicy,
} from '../../../src/notify/mail-message.js';

const AT = Date.UTC(2024, 0, 2, 3, 4, 5);

function policy(globals: string, rest = ''): MailPolicy {
  const text = `global_defs {\n router_id lb1\n${globals}\n}\n${INSTANCES}\n${rest}`;
  const r = compileConfig('/k.conf', {
    fs: memoryFs({ '/k.conf': text }),
    hostname: 'host',
    user: 'root',
  });
  assert.ok(r.ok, JSON.stringify(r.diagnostics));
  return mailPolicy(r.config);
}

const MAIL = 'notification_email {\n  ops@example.org\n}\nsmtp_server 127.0.0.1';
const INSTANCES = `
vrrp_sync_group G {
  group {
    VI_1
    VI_2
  }
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 100
  virtual_ipaddress {
    10.0.0.100
  }
}
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 52
  priority 100
  smtp_alert
  virtual_ipaddress {
    10.0.0.101
  }
}
virtual_server 10.0.0.100 80 {
  protocol TCP
  real_server 10.0.0.2 80 {
    TCP_CHECK {
      connect_timeout 3
    }
  }
  real_server 10.0.0.3 80 {
    smtp_alert off
    TCP_CHECK {
      connect_timeout 3
    }
  }
}
`;

const vi = (name: string, from: string, to: string): NotifyEvent => ({
  kind: 'vrrp-instance',
  name,
  from,
  to,
  priority: 100,
  at: AT,
});
const rs = (address: string, up: boolean, checker = 'TCP_CHECK'): NotifyEvent => ({
  kind: 'rs',
  vs: 'tcp:10.0.0.100:80',
  vsLabel: '[10.0.0.100]:tcp:80',
  rs: `${address}|80`,
  rsLabel: `[${address}]:tcp:80`,
  up,
  checker,
  at: AT,
});

test('no mail without notification_email and smtp_server', () => {
  const p = policy('smtp_alert');
  assert.equal(p.enabled, false);
  assert.equal(selectMail(p, new Map(), rs('10.0.0.2', false)), undefined);
  assert.equal(policy('smtp_server 127.0.0.1').enabled, false);
  assert.equal(policy('notification_email {\n a@b\n}').enabled, false);
});

test('defaults: real servers mail, VRRP only with a per-instance smtp_alert', () => {
  const p = policy(MAIL);
  const mailed: MailedStates = new Map();
  assert.ok(selectMail(p, mailed, rs('10.0.0.2', false)));
  assert.equal(selectMail(p, mailed, rs('10.0.0.3', false)), undefined, 'rs smtp_alert off');
  assert.equal(selectMail(p, mailed, vi('VI_1', 'BACKUP', 'MASTER')), undefined);
  assert.ok(selectMail(p, mailed, vi('VI_2', 'BACKUP', 'MASTER')));
  const group: NotifyEvent = { kind: 'vrrp-group', name: 'G', to: 'MASTER', at: AT };
  assert.equal(selectMail(p, mailed, group), undefined);
});

test('global smtp_alert / smtp_alert_vrrp / smtp_alert_checker change the defaults', () => {
  const on = policy(`${MAIL}\nsmtp_alert`);
  assert.ok(on.instances.has('VI_1') && on.groups.has('G'));
  const vrrpOff = policy(`${MAIL}\nsmtp_alert\nsmtp_alert_vrrp off`);
  assert.ok(!vrrpOff.instances.has('VI_1') && vrrpOff.instances.has('VI_2'));
  const checkerOff = policy(`${MAIL}\nsmtp_alert_checker off`);
  assert.equal(checkerOff.realServers.size, 0);
  assert.equal(checkerOff.virtualServers.size, 0);
  const allOff = policy(`${MAIL}\nsmtp_alert off`);
  assert.equal(allOff.realServers.size, 0);
  assert.ok(allOff.instances.has('VI_2'), 'a per-instance smtp_alert wins over the global');
});

test('VRRP mails only when the state differs from the last mailed one', () => {
  const p = policy(`${MAIL}\nsmtp_alert`);
  const mailed: MailedStates = new Map();
  assert.ok(selectMail(p, mailed, vi('VI_1', 'INIT', 'BACKUP')));
  assert.equal(selectMail(p, mailed, vi('VI_1', 'BACKUP', 'BACKUP')), undefined);
  assert.ok(selectMail(p, mailed, vi('VI_1', 'BACKUP', 'MASTER')));
  assert.equal(selectMail(p, mailed, vi('VI_1', 'MASTER', 'MASTER')), undefined);
  assert.ok(selectMail(p, mailed, vi('VI_1', 'MASTER', 'FAULT')));
  assert.equal(selectMail(p, mailed, vi('VI_1', 'FAULT', 'DELETED')), undefined, 'never mailed');
  assert.equal(mailed.get('instance:VI_1'), 'FAULT');
  // Groups keep their own record even with the same name as an instance.
  const g: NotifyEvent = { kind: 'vrrp-group', name: 'G', to: 'BACKUP', at: AT };
  assert.ok(selectMail(p, mailed, g));
  assert.equal(selectMail(p, mailed, g), undefined);
});

test('no_email_faults suppresses FAULT mails without recording them', () => {
  const p = policy(`${MAIL}\nsmtp_alert\nno_email_faults`);
  const mailed: MailedStates = new Map();
  assert.ok(selectMail(p, mailed, vi('VI_1', 'INIT', 'BACKUP')));
  assert.equal(selectMail(p, mailed, vi('VI_1', 'BACKUP', 'FAULT')), undefined);
  assert.equal(selectMail(p, mailed, vi('VI_1', 'FAULT', 'BACKUP')), undefined, 'still BACKUP');
  const g: NotifyEvent = { kind: 'vrrp-group', name: 'G', to: 'FAULT', at: AT };
  assert.equal(selectMail(p, mailed, g), undefined);
});

test('exact VRRP instance texts and the facts trailer', () => {
  assert.deepEqual(composeMail('lb1', vi('VI_1', 'BACKUP', 'MASTER')), {
    subject: '[lb1] VRRP Instance VI_1 - Entering MASTER state',
    body:
      '=> VRRP Instance is now owning VRRP VIPs <=\n\n' +
      'router_id: lb1\n' +
      'object:    VRRP instance VI_1\n' +
      'state:     BACKUP -> MASTER\n' +
      'priority:  100\n' +
      'time:      2024-01-02T03:04:05.000Z\n',
    at: AT,
  });
  const lines = (to: string) => {
    const m = composeMail('lb1', vi('VI_1', 'MASTER', to));
    return m && [m.subject, m.body.split('\n')[0]];
  };
  assert.deepEqual(lines('BACKUP'), [
    '[lb1] VRRP Instance VI_1 - Entering BACKUP state',
    '=> VRRP Instance is no longer owning VRRP VIPs <=',
  ]);
  assert.deepEqual(lines('FAULT'), [
    '[lb1] VRRP Instance VI_1 - Entering FAULT state',
    '=> VRRP Instance is no longer owning VRRP VIPs <=',
  ]);
  assert.deepEqual(lines('STOP'), [
    '[lb1] VRRP Instance VI_1 - Stopping',
    '=> VRRP Instance stopping <=',
  ]);
  assert.equal(lines('INIT'), undefined);
});

test('exact VRRP group texts', () => {
  const m = composeMail('lb1', { kind: 'vrrp-group', name: 'G', to: 'MASTER', at: AT });
  assert.equal(m?.subject, '[lb1] VRRP Group G - Entering MASTER state');
  assert.ok(m?.body.startsWith('=> All VRRP group instances are now in MASTER state <=\n\n'));
  assert.match(m?.body ?? '', /^object: {4}VRRP sync group G$/m);
  const stop = composeMail('lb1', { kind: 'vrrp-group', name: 'G', to: 'STOP', at: AT });
  assert.equal(stop?.subject, '[lb1] VRRP Group G - Stopping');
  assert.ok(stop?.body.startsWith('=> All VRRP group instances are now stopping <=\n'));
});

test('exact real-server texts', () => {
  assert.deepEqual(composeMail('lb1', rs('10.0.0.2', false)), {
    subject: '[lb1] Realserver [10.0.0.2]:tcp:80 of virtual server [10.0.0.100]:tcp:80 - DOWN',
    body:
      '=> TCP CHECK failed on service <=\n\n' +
      'router_id: lb1\n' +
      'object:    real server [10.0.0.2]:tcp:80 of virtual server [10.0.0.100]:tcp:80\n' +
      'checker:   TCP_CHECK\n' +
      'state:     UP -> DOWN\n' +
      'time:      2024-01-02T03:04:05.000Z\n',
    at: AT,
  });
  assert.equal(
    composeMail('lb1', rs('10.0.0.2', true))?.subject,
    '[lb1] Realserver [10.0.0.2]:tcp:80 of virtual server [10.0.0.100]:tcp:80 - UP',
  );
  assert.equal(checkerLine('TCP_CHECK', true), '=> TCP CHECK succeed on service <=');
  assert.equal(
    checkerLine('HTTP_GET', false),
    '=> CHECK failed on service : HTTP/SSL request failed <=',
  );
  assert.equal(checkerLine('SSL_GET', true), '=> CHECK succeed on service <=');
  assert.equal(checkerLine('MISC_CHECK', false), '=> MISC CHECK failed on service <=');
  assert.equal(checkerLine('UDP_CHECK', true), '=> UDP CHECK succeed on service <=');
});

test('exact quorum texts, following the virtual server smtp_alert', () => {
  const q = (up: boolean): NotifyEvent => ({
    kind: 'quorum',
    vs: 'tcp:10.0.0.100:80',
    vsLabel: '[10.0.0.100]:tcp:80',
    up,
    at: AT,
  });
  const p = policy(MAIL);
  const down = selectMail(p, new Map(), q(false));
  assert.equal(down?.subject, '[lb1] Virtualserver [10.0.0.100]:tcp:80 - DOWN');
  assert.ok(down?.body.startsWith('=> Lost quorum <=\n\n'));
  assert.match(down?.body ?? '', /^state: {5}UP -> DOWN$/m);
  assert.equal(
    selectMail(p, new Map(), q(true))?.subject,
    '[lb1] Virtualserver [10.0.0.100]:tcp:80 - UP',
  );
});
