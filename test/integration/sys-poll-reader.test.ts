// The uv_poll reader on an ordinary UDP descriptor (no privileges needed): callbacks while data
// waits, none after close(), close() from inside a callback, and an owned descriptor closed.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { loadLibc, MSG_DONTWAIT } from '../../src/sys/libc.js';
import { PollReader } from '../../src/sys/poll-reader.js';
import { openListenSocket } from '../../src/sys/socket.js';

const PORT = 40000 + (process.pid % 20000);

test('readable callbacks, close inside a callback, owned descriptor closed', async (t) => {
  const c = loadLibc();
  if (c === null) {
    if (process.env.CI === 'true') throw new Error('koffi is required under CI=true');
    t.skip('koffi unavailable');
    return;
  }
  const s = openListenSocket({
    kind: 'udp',
    family: 'inet',
    address: '127.0.0.1',
    port: PORT,
    freebind: false,
    reusePort: false,
  });
  assert.ok(s.ok);
  const sender = createSocket('udp4');
  t.after(() => sender.close());
  const got: string[] = [];
  const buf = new Uint8Array(64);
  const from = new Uint8Array(28);
  let done: () => void = () => undefined;
  let fdGone = false;
  const twoPackets = new Promise<void>((r) => (done = r));
  const started = PollReader.start(
    s.fd,
    () => {
      for (;;) {
        const n = c.recvfrom(s.fd, buf, buf.length, MSG_DONTWAIT, from, new Uint32Array([28]));
        if (n < 0) break;
        got.push(Buffer.from(buf.subarray(0, n)).toString());
      }
      if (got.length >= 2) {
        reader.close(); // safe from inside the callback
        fdGone = !existsSync(`/proc/self/fd/${s.fd}`);
        done();
      }
    },
    undefined,
    true,
  );
  assert.ok(started.ok);
  const reader = started.reader;
  sender.send('one', PORT, '127.0.0.1');
  sender.send('two', PORT, '127.0.0.1');
  await twoPackets;
  assert.deepEqual(got, ['one', 'two']);
  assert.equal(reader.closed, true);
  assert.equal(fdGone, true, 'owned descriptor closed');
  reader.close(); // idempotent
});
