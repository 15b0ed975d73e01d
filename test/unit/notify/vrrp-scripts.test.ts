import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ScriptSpec } from '../../../src/config/model.js';
import { checkerScripts } from '../../../src/notify/checker-scripts.js';
import type { NotifyEvent } from '../../../src/notify/events.js';
import { fifoLine } from '../../../src/notify/fifo-lines.js';
import { vrrpScripts } from '../../../src/notify/vrrp-scripts.js';

const spec = (command: string): ScriptSpec => ({ command, argv: command.split(' ') });
const notifies = {
  notifyMaster: spec('/etc/k/master.sh arg1'),
  notifyBackup: spec('/etc/k/backup.sh'),
  notifyFault: spec('/etc/k/fault.sh'),
  notifyStop: spec('/etc/k/stop.sh'),
  notify: spec('/etc/k/notify.sh'),
};
const inst = (to: string, priority = 100): NotifyEvent => ({
  kind: 'vrrp-instance',
  name: 'VI_1',
  from: 'BACKUP',
  to,
  priority,
  at: 0,
});
const flat = (n: NotifyEvent, x = notifies): string[][] =>
  vrrpScripts(n, x).map((c) => [...c.script.argv, ...c.args]);

test('the state-specific script runs first with its own words, then notify with four more', () => {
  assert.deepEqual(flat(inst('MASTER')), [
    ['/etc/k/master.sh', 'arg1'],
    ['/etc/k/notify.sh', 'INSTANCE', 'VI_1', 'MASTER', '100'],
  ]);
  assert.deepEqual(flat(inst('BACKUP', 90))[1], [
    '/etc/k/notify.sh',
    'INSTANCE',
    'VI_1',
    'BACKUP',
    '90',
  ]);
  assert.deepEqual(flat(inst('FAULT'))[0], ['/etc/k/fault.sh']);
  assert.deepEqual(flat(inst('STOP'))[0], ['/etc/k/stop.sh']);
  assert.deepEqual(
    vrrpScripts(inst('MASTER'), notifies).map((c) => c.keyword),
    ['notify_master', 'notify'],
  );
});

test('a sync group passes GROUP and priority 0', () => {
  const g: NotifyEvent = { kind: 'vrrp-group', name: 'G1', to: 'FAULT', at: 0 };
  assert.deepEqual(flat(g), [
    ['/etc/k/fault.sh'],
    ['/etc/k/notify.sh', 'GROUP', 'G1', 'FAULT', '0'],
  ]);
});

test('only what is configured runs; other states reach only notify', () => {
  assert.deepEqual(flat(inst('MASTER'), { notify: notifies.notify } as typeof notifies), [
    ['/etc/k/notify.sh', 'INSTANCE', 'VI_1', 'MASTER', '100'],
  ]);
  assert.deepEqual(flat(inst('DELETED')), [
    ['/etc/k/notify.sh', 'INSTANCE', 'VI_1', 'DELETED', '100'],
  ]);
  assert.deepEqual(vrrpScripts(inst('MASTER'), {}), []);
});

test('checker events run notify_up/down and quorum_up/down without extra words', () => {
  const n = {
    notifyUp: spec('/u.sh a'),
    notifyDown: spec('/d.sh'),
    quorumUp: spec('/qu.sh'),
    quorumDown: spec('/qd.sh'),
  };
  const rs = (up: boolean): NotifyEvent => ({
    kind: 'rs',
    vs: 'k',
    vsLabel: '[10.0.0.1]:tcp:80',
    rs: 'r',
    rsLabel: '[1.2.3.4]:tcp:80',
    up,
    checker: 'TCP_CHECK',
    at: 0,
  });
  assert.deepEqual(
    checkerScripts(rs(true), n).map((c) => [...c.script.argv, ...c.args]),
    [['/u.sh', 'a']],
  );
  assert.deepEqual(checkerScripts(rs(false), n)[0]?.keyword, 'notify_down');
  const q = (up: boolean): NotifyEvent => ({
    kind: 'quorum',
    vs: 'k',
    vsLabel: '[10.0.0.1]:tcp:80',
    up,
    at: 0,
  });
  assert.deepEqual(checkerScripts(q(true), n)[0]?.script.command, '/qu.sh');
  assert.deepEqual(checkerScripts(q(false), n)[0]?.script.command, '/qd.sh');
  assert.deepEqual(checkerScripts(q(false), {}), []);
  assert.deepEqual(checkerScripts(inst('MASTER'), n), []);
  assert.deepEqual(vrrpScripts(rs(true), notifies), []);
});

test("FIFO lines are keepalived's", () => {
  assert.deepEqual(fifoLine(inst('MASTER')), {
    family: 'vrrp',
    text: 'INSTANCE "VI_1" MASTER 100',
  });
  assert.equal(
    fifoLine({ kind: 'vrrp-group', name: 'G', to: 'BACKUP', at: 0 }).text,
    'GROUP "G" BACKUP 0',
  );
  assert.deepEqual(
    fifoLine({ kind: 'quorum', vs: 'k', vsLabel: '[192.168.201.15]:tcp:80', up: true, at: 0 }),
    { family: 'lvs', text: 'VS [192.168.201.15]:tcp:80 UP' },
  );
  assert.equal(
    fifoLine({
      kind: 'rs',
      vs: 'k',
      vsLabel: '[192.168.201.15]:tcp:80',
      rs: 'r',
      rsLabel: '[1.2.3.4]:tcp:80',
      up: false,
      checker: 'HTTP_GET',
      at: 0,
    }).text,
    'RS [1.2.3.4]:tcp:80 [192.168.201.15]:tcp:80 DOWN',
  );
});
