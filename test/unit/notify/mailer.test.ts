// Mailer retry timing on a ManualClock with a scripted transport: 1 s, 2 s, 4 s, then give up;
// a 5xx reply is not retried; one delivery at a time, in order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../../src/lib/clock.js';
import { createLogger, memorySink } from '../../../src/lib/log.js';
import { Mailer, type MailTransport, type OutgoingMail } from '../../../src/notify/mailer.js';

const settings = {
  host: '2001:db8::25',
  port: 25,
  heloName: 'h',
  from: 'a@b',
  to: ['c@d'],
  connectTimeout: 30,
};

function scripted(results: (Error | null)[]) {
  const calls: { subject: string; at: number }[] = [];
  const clock = new ManualClock();
  const transport: MailTransport = {
    sendMail: (m: OutgoingMail) => {
      calls.push({ subject: m.subject, at: clock.now() });
      const r = results.shift() ?? null;
      return r === null ? Promise.resolve() : Promise.reject(r);
    },
    close: () => undefined,
  };
  return { calls, clock, transport };
}

const flush = () => new Promise((r) => setImmediate(r));

test('failed attempts back off 1 s, 2 s, 4 s and then give up', async () => {
  const { calls, clock, transport } = scripted(
    Array.from({ length: 4 }, () => new Error('ECONNREFUSED')),
  );
  const sink = memorySink();
  const m = new Mailer({ settings, clock, transport, log: createLogger({ write: sink.write }) });
  m.enqueue({ subject: 'one', body: '', at: 0 });
  m.enqueue({ subject: 'two', body: '', at: 0 });
  for (let i = 0; i < 16; i++) {
    await flush();
    clock.advance(500);
  }
  await flush();
  assert.deepEqual(
    calls.map((c) => `${c.subject}@${c.at}`),
    ['one@0', 'one@1000', 'one@3000', 'one@7000', 'two@7000'],
  );
  assert.deepEqual(m.counters, { queued: 2, sent: 1, failed: 1, dropped: 0, retries: 3 });
  const lines = sink.records.filter((r) => r.level === 50).map((r) => r.msg);
  assert.deepEqual(lines, [
    ...Array.from({ length: 4 }, () => 'SMTP connection ERROR to [2001:db8::25]:25.'),
    'SMTP alert not sent, giving up',
  ]);
  m.close();
});

test('a 5xx reply is final; close() cancels a pending retry', async () => {
  const refused = Object.assign(new Error('550 no such user'), { responseCode: 550 });
  const { calls, clock, transport } = scripted([refused, new Error('timeout')]);
  const m = new Mailer({
    settings,
    clock,
    transport,
    log: createLogger({ write: () => undefined }),
  });
  m.enqueue({ subject: 'one', body: '', at: 0 });
  await flush();
  assert.equal(m.counters.failed, 1);
  m.enqueue({ subject: 'two', body: '', at: 0 });
  await flush();
  m.close();
  clock.advance(10_000);
  await flush();
  assert.equal(calls.length, 2, 'no retry after close');
  assert.equal(m.enqueue({ subject: 'three', body: '', at: 0 }), false);
});
