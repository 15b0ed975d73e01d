// E-mail alerts against a real SMTP listener on loopback (issue 8 acceptance): messages reach
// every recipient with keepalived's subjects and bodies; a dead or silent server costs bounded
// retries and log lines, never the caller's time.
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { test, type TestContext } from 'node:test';
import { smtpListener } from '../helpers/smtp.js';
import { createLogger, memorySink, type LogRecord } from '../../src/lib/log.js';
import type { NotifyEvent } from '../../src/notify/events.js';
import { composeMail, type MailText } from '../../src/notify/mail-message.js';
import { Mailer, endpoint, type MailerOptions } from '../../src/notify/mailer.js';

const AT = Date.UTC(2024, 0, 2, 3, 4, 5);
const TO = ['ops1@example.org', 'ops2@example.org'];

function mailer(t: TestContext, port: number, over: Partial<MailerOptions> = {}) {
  const sink = memorySink();
  const m = new Mailer({
    settings: {
      host: '127.0.0.1',
      port,
      heloName: 'director1.example.org',
      from: 'tandem@director1.example.org',
      to: TO,
      connectTimeout: 2,
    },
    log: createLogger({ level: 'debug', write: sink.write }),
    backoffMs: 10,
    ...over,
  });
  t.after(() => m.close());
  return { m, records: sink.records };
}

const rsEvent = (up: boolean): NotifyEvent => ({
  kind: 'rs',
  vs: 'tcp:10.0.0.100:80',
  vsLabel: '[10.0.0.100]:tcp:80',
  rs: '10.0.0.2|80',
  rsLabel: '[10.0.0.2]:tcp:80',
  up,
  checker: 'TCP_CHECK',
  at: AT,
});
const master: NotifyEvent = {
  kind: 'vrrp-instance',
  name: 'VI_1',
  from: 'BACKUP',
  to: 'MASTER',
  priority: 100,
  at: AT,
};

function mail(e: NotifyEvent): MailText {
  const m = composeMail('lb1', e);
  assert.ok(m);
  return m;
}

const errors = (records: LogRecord[]) => records.filter((r) => r.msg.startsWith('SMTP connection'));

test('checker DOWN, UP and a VRRP MASTER transition each reach every recipient', async (t) => {
  const { port, got } = await smtpListener(t);
  const { m, records } = mailer(t, port);
  const mails = [mail(rsEvent(false)), mail(rsEvent(true)), mail(master)];
  for (const x of mails) assert.equal(m.enqueue(x), true);
  await m.idle();
  assert.deepEqual(m.counters, { queued: 3, sent: 3, failed: 0, dropped: 0, retries: 0 });
  assert.equal(got.length, 3);
  for (const [i, r] of got.entries()) {
    const sent = mails[i]!;
    assert.equal(r.helo, 'director1.example.org');
    assert.equal(r.from, 'tandem@director1.example.org');
    assert.deepEqual(r.rcpt, TO);
    assert.equal(r.headers.get('subject'), sent.subject);
    assert.equal(r.headers.get('from'), 'tandem@director1.example.org');
    assert.equal(r.headers.get('to'), TO.join(', '));
    assert.equal(r.headers.get('x-mailer'), 'tandem');
    assert.equal(new Date(r.headers.get('date') ?? '').getTime(), AT);
    assert.equal(r.body.trimEnd(), sent.body.trimEnd());
  }
  assert.equal(
    got[0]!.headers.get('subject'),
    '[lb1] Realserver [10.0.0.2]:tcp:80 of virtual server [10.0.0.100]:tcp:80 - DOWN',
  );
  assert.ok(got[0]!.body.startsWith('=> TCP CHECK failed on service <=\n'));
  assert.ok(got[1]!.body.startsWith('=> TCP CHECK succeed on service <=\n'));
  assert.equal(got[2]!.headers.get('subject'), '[lb1] VRRP Instance VI_1 - Entering MASTER state');
  assert.ok(got[2]!.body.startsWith('=> VRRP Instance is now owning VRRP VIPs <=\n'));
  assert.equal(errors(records).length, 0);
});

test('a server that is down: keepalived error line per attempt, bounded retries, give up', async (t) => {
  const port = await closedPort();
  const { m, records } = mailer(t, port, { retries: 3, backoffMs: 20 });
  const t0 = performance.now();
  m.enqueue(mail(master));
  await m.idle();
  const took = performance.now() - t0;
  assert.deepEqual(m.counters, { queued: 1, sent: 0, failed: 1, dropped: 0, retries: 3 });
  const lines = errors(records).map((r) => r.msg);
  assert.deepEqual(
    lines,
    Array.from({ length: 4 }, () => `SMTP connection ERROR to [127.0.0.1]:${port}.`),
  );
  assert.ok(records.some((r) => r.msg === 'SMTP alert not sent, giving up'));
  // Backoff 20 + 40 + 80 ms; refused connects are immediate.
  assert.ok(took >= 140 && took < 2000, `gave up after ${took.toFixed(0)} ms`);
  assert.equal(endpoint('2001:db8::1', 25), '[2001:db8::1]:25');
});

test('a server that never greets: bounded by the greeting timeout, enqueue never waits', async (t) => {
  const { port, accepted } = await silentListener(t);
  const { m, records } = mailer(t, port, { retries: 0, greetingTimeoutMs: 300 });
  const t0 = performance.now();
  for (let i = 0; i < 100; i++) m.enqueue(mail(rsEvent(i % 2 === 0)));
  const enqueueMs = performance.now() - t0;
  assert.ok(enqueueMs < 20, `100 enqueues took ${enqueueMs.toFixed(2)} ms`);
  // A burst past the bound: one in flight, 256 waiting, the rest dropped and logged once.
  for (let i = 0; i < 200; i++) m.enqueue(mail(rsEvent(false)));
  assert.equal(m.pending, 256);
  assert.equal(m.counters.dropped, 300 - 1 - 256);
  assert.equal(records.filter((r) => r.msg === 'mail queue full, dropping alerts').length, 1);

  // The first delivery fails on the greeting timeout, well before smtp_connect_timeout (2 s).
  const deadline = Date.now() + 3000;
  while (errors(records).length === 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  const failedAt = performance.now() - t0;
  assert.equal(errors(records)[0]?.msg, `SMTP connection ERROR to [127.0.0.1]:${port}.`);
  assert.ok(failedAt >= 250 && failedAt < 1500, `first failure after ${failedAt.toFixed(0)} ms`);
  assert.ok(accepted.count >= 1);
  m.close();
  assert.equal(m.pending, 0);
  await m.idle();
});

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Accepts TCP and says nothing, like a wedged MTA. */
async function silentListener(
  t: TestContext,
): Promise<{ port: number; accepted: { count: number } }> {
  const sockets = new Set<Socket>();
  const accepted = { count: 0 };
  const server = createServer();
  server.on('connection', (s) => {
    accepted.count++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as AddressInfo).port, accepted };
}
