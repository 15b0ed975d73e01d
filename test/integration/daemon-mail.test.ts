// E-mail alerts from a running daemon: a real server's TCP_CHECK failing and recovering sends
// keepalived's DOWN and UP mails, through the daemon's one notification path, to every
// notification_email address on a real SMTP listener.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { startTandem } from '../helpers/daemon.js';
import { freePort } from '../helpers/processes.js';
import { startHttpServer } from '../helpers/real-http.js';
import { smtpListener } from '../helpers/smtp.js';

test('checker DOWN and UP mails from a running daemon', { timeout: 30_000 }, async (t) => {
  const smtp = await smtpListener(t);
  const rs = await startHttpServer('127.0.0.1', 0);
  const rsPort = rs.port;
  const port = await freePort('127.0.0.65');
  const d = startTandem(`
global_defs {
  router_id mail-test
  notification_email { ops1@example.org
    ops2@example.org }
  notification_email_from tandem@example.org
  smtp_server 127.0.0.1 ${smtp.port}
  smtp_connect_timeout 5
}
virtual_server 127.0.0.65 ${port} {
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 127.0.0.1 ${rsPort} {
    weight 1
    TCP_CHECK { connect_timeout 1
      retry 0
      delay_before_retry 1 }
  }
}`);
  t.after(() => d.stop());
  await d.waitFor((r) => r.msg === 'started', 5000);
  await rs.stop();
  await d.waitFor((r) => r.msg.startsWith('Removing service'), 8000);
  for (let i = 0; i < 100 && smtp.got.length < 1; i++) await sleep(50);
  const down = smtp.got[0];
  assert.ok(down !== undefined, 'a DOWN mail arrives');
  assert.deepEqual(down.rcpt, ['ops1@example.org', 'ops2@example.org']);
  assert.equal(down.from, 'tandem@example.org');
  assert.equal(
    down.headers.get('subject'),
    `[mail-test] Realserver [127.0.0.1]:tcp:${rsPort} of virtual server [127.0.0.65]:tcp:${port} - DOWN`,
  );
  assert.match(down.body, /=> TCP CHECK failed on service <=/);

  const back = await startHttpServer('127.0.0.1', rsPort);
  t.after(() => back.stop());
  await d.waitFor((r) => r.msg.startsWith('Adding service'), 8000);
  const subject = (m: (typeof smtp.got)[number]): string => m.headers.get('subject') ?? '';
  const rsUp = () => smtp.got.find((m) => /Realserver .* - UP$/.test(subject(m)));
  for (let i = 0; i < 100 && rsUp() === undefined; i++) await sleep(50);
  assert.match(rsUp()?.body ?? '', /=> TCP CHECK succeed on service <=/);
  // With its only real server gone the virtual server lost quorum, and got it back: keepalived
  // mails those too.
  const quorum = smtp.got.map(subject).filter((x) => x.startsWith('[mail-test] Virtualserver'));
  assert.match(quorum[0] ?? '', / - DOWN$/);
  if (quorum.length > 1) assert.match(quorum[1] ?? '', / - UP$/);
});
