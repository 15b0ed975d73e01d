// The control socket end to end: a real ControlServer on a Unix socket in a temp dir, driven by
// the client and by raw net.Socket connections writing random bytes and oversized frames. The
// server must answer with error replies or close cleanly, and keep answering `hello` afterwards.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ControlClient, ControlError, request } from '../../src/control/client.js';
import {
  decodeBody,
  decodeResponse,
  FrameDecoder,
  MAX_REQUEST_FRAME,
  MAX_RESPONSE_FRAME,
  type ControlResponse,
} from '../../src/control/protocol.js';
import { ControlServer, type ControlServerOptions } from '../../src/control/server.js';
import { ManualClock } from '../../src/lib/clock.js';
import { AppError } from '../../src/lib/errors.js';
import { createLogger, memorySink } from '../../src/lib/log.js';

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-ctl-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function startServer(
  t: TestContext,
  path: string,
  extra: Partial<ControlServerOptions> = {},
): Promise<{ server: ControlServer; sink: ReturnType<typeof memorySink> }> {
  const sink = memorySink();
  const server = new ControlServer({
    path,
    log: createLogger({ level: 'debug', write: sink.write }),
    handlers: {
      echo: (p) => p,
      nothing: () => undefined,
      boom: () => {
        throw new Error('handler bug');
      },
      later: async () => new Promise((r) => setTimeout(() => r('late'), 20)),
      service: () => {
        throw new AppError('ERR_IPVS_NO_SERVICE');
      },
      big: (p) => 'x'.repeat(Number(p.bytes)),
      never: async () => new Promise(() => undefined),
    },
    ...extra,
  });
  await server.start();
  t.after(() => server.close());
  return { server, sink };
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<ControlError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ControlError, String(err));
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}`);
}

/** Writes bytes on a raw connection, half-closes, and collects every reply until the server closes. */
async function raw(
  path: string,
  bytes: Buffer,
): Promise<{ replies: ControlResponse[]; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    const decoder = new FrameDecoder(MAX_RESPONSE_FRAME);
    const replies: ControlResponse[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ replies, closed: false });
    }, 5000);
    socket.on('error', () => undefined); // EPIPE when the server closes on an oversized frame
    socket.on('data', (chunk: Buffer) => {
      const r = decoder.push(chunk);
      assert.ok(r.ok);
      for (const f of r.frames) {
        const body = decodeBody(f);
        assert.ok(body.ok);
        const resp = decodeResponse(body.value);
        assert.ok(resp.ok, JSON.stringify(body.value));
        replies.push(resp.value);
      }
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ replies, closed: true });
    });
    socket.write(bytes);
    socket.end();
  });
}

/** Polls a condition every 10 ms for at most 2 s. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), 'condition not met within 2 s');
}

function frame(body: Buffer | string): Buffer {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const h = Buffer.alloc(4);
  h.writeUInt32BE(b.length);
  return Buffer.concat([h, b]);
}

test('socket is mode 0600 and hello round-trips; close() unlinks it', async (t) => {
  const path = join(tempDir(t), 'run', 'control.sock');
  const { server } = await startServer(t, path);
  assert.ok(lstatSync(path).isSocket());
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(join(path, '..')).mode & 0o777, 0o700);
  const hello = (await request(path, 'hello')) as { protocol: number; methods: string[] };
  assert.equal(hello.protocol, 1);
  assert.deepEqual(hello.methods, [
    'big',
    'boom',
    'echo',
    'hello',
    'later',
    'never',
    'nothing',
    'service',
  ]);
  assert.deepEqual(await request(path, 'echo', { a: [1, 'é'] }), { a: [1, 'é'] });
  assert.equal(await request(path, 'nothing'), null);
  await server.close();
  assert.equal(existsSync(path), false);
  await rejectsWith(request(path, 'hello'), 'ERR_CONTROL_UNREACHABLE');
});

test('errors: unknown method keeps the connection, handler bugs are internal errors', async (t) => {
  const path = join(tempDir(t), 'c.sock');
  const { sink } = await startServer(t, path);
  const client = await ControlClient.connect(path);
  t.after(() => client.close());
  await rejectsWith(client.request('nope'), 'ERR_CONTROL_UNKNOWN_METHOD');
  await rejectsWith(client.request('constructor'), 'ERR_CONTROL_UNKNOWN_METHOD');
  await rejectsWith(client.request('__proto__'), 'ERR_CONTROL_UNKNOWN_METHOD');
  const boom = await rejectsWith(client.request('boom'), 'ERR_CONTROL_INTERNAL');
  assert.equal(boom.message, 'handler bug');
  assert.ok(sink.records.some((r) => r.msg === 'control method failed' && r.method === 'boom'));
  // A catalogued error keeps its code, for tandemadm to word as ipvsadm does.
  await rejectsWith(client.request('service'), 'ERR_IPVS_NO_SERVICE');
  // Pipelined requests come back in order on the same connection.
  const got = await Promise.all([
    client.request('later'),
    client.request('echo', { n: 2 }),
    client.request('hello'),
  ]);
  assert.equal(got[0], 'late');
  assert.deepEqual(got[1], { n: 2 });
});

test('responses: 2 MiB arrives whole, over 16 MiB becomes an error reply', async (t) => {
  const path = join(tempDir(t), 'c.sock');
  await startServer(t, path);
  const big = (await request(path, 'big', { bytes: 2 * 1024 * 1024 })) as string;
  assert.equal(big.length, 2 * 1024 * 1024);
  await rejectsWith(
    request(path, 'big', { bytes: MAX_RESPONSE_FRAME + 1 }),
    'ERR_CONTROL_FRAME_TOO_LARGE',
  );
});

test('client timeout and unreachable paths', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'c.sock');
  await startServer(t, path);
  await rejectsWith(request(path, 'never', {}, { timeoutMs: 50 }), 'ERR_CONTROL_TIMEOUT');
  await rejectsWith(request(join(dir, 'absent.sock'), 'hello'), 'ERR_CONTROL_UNREACHABLE');
  assert.equal(((await request(path, 'hello')) as { protocol: number }).protocol, 1);
});

test('raw malformed frames: each gets its error reply and the connection closes', async (t) => {
  const path = join(tempDir(t), 'c.sock');
  await startServer(t, path);
  const huge = Buffer.alloc(4);
  huge.writeUInt32BE(MAX_REQUEST_FRAME + 1);
  const cases: [string, Buffer, string, number | null][] = [
    ['empty body', frame(''), 'ERR_CONTROL_BAD_FRAME', null],
    ['bad UTF-8', frame(Buffer.from('c328', 'hex')), 'ERR_CONTROL_BAD_FRAME', null],
    ['bad JSON', frame('{"v":1'), 'ERR_CONTROL_BAD_JSON', null],
    [
      'truncated',
      frame('{"v":1,"id":1,"method":"hello"}').subarray(0, 10),
      'ERR_CONTROL_BAD_FRAME',
      null,
    ],
    ['oversized header', huge, 'ERR_CONTROL_FRAME_TOO_LARGE', null],
    [
      'oversized, with body',
      Buffer.concat([huge, Buffer.alloc(MAX_REQUEST_FRAME + 1, 0x20)]),
      'ERR_CONTROL_FRAME_TOO_LARGE',
      null,
    ],
  ];
  for (const [name, bytes, code, id] of cases) {
    const { replies, closed } = await raw(path, bytes);
    assert.ok(closed, name);
    const last = replies.at(-1);
    assert.ok(last && !last.ok, name);
    assert.equal(last.error.code, code, name);
    assert.equal(last.id, id, name);
  }
  // A good request before a bad frame is answered first.
  const good = frame('{"v":1,"id":41,"method":"hello"}');
  const { replies } = await raw(path, Buffer.concat([good, frame('nope')]));
  assert.deepEqual(
    replies.map((r) => [r.id, r.ok]),
    [
      [41, true],
      [null, false],
    ],
  );
  // Request-level faults answer and keep the connection: all three come back, in order.
  const seq = await raw(
    path,
    Buffer.concat([
      frame('{"v":2,"id":1,"method":"hello"}'),
      frame('{"v":1,"id":2,"method":"nope"}'),
      frame('[]'),
      frame('{"v":1,"id":3,"method":"hello"}'),
    ]),
  );
  assert.deepEqual(
    seq.replies.map((r) => (r.ok ? r.id : `${r.id}:${r.error.code}`)),
    [
      '1:ERR_CONTROL_UNSUPPORTED_VERSION',
      '2:ERR_CONTROL_UNKNOWN_METHOD',
      'null:ERR_CONTROL_BAD_REQUEST',
      3,
    ],
  );
});

test('fuzz: 1000 random payloads from raw sockets, then hello still answers', async (t) => {
  const path = join(tempDir(t), 'c.sock');
  const { server, sink } = await startServer(t, path);
  let seed = 0x7a4d3e;
  const next = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  const payload = (i: number): Buffer => {
    const len = 1 + (next() % 300);
    const b = Buffer.alloc(len);
    for (let j = 0; j < len; j++) b[j] = next() & 0xff;
    // A third get a small plausible header, so random bodies reach the JSON and request checks.
    if (i % 3 === 0 && len > 4) b.writeUInt32BE(next() % (len - 3));
    return b;
  };
  const started = Date.now();
  let errors = 0;
  for (let batch = 0; batch < 1000; batch += 25) {
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, k) => raw(path, payload(batch + k))),
    );
    for (const r of results) {
      assert.ok(r.closed, 'the server closes every fuzzed connection');
      errors += r.replies.filter((x) => !x.ok).length;
    }
  }
  assert.ok(errors >= 1000, `every payload got at least one error reply (${errors})`);
  assert.ok(Date.now() - started < 30_000);
  assert.equal(((await request(path, 'hello')) as { protocol: number }).protocol, 1);
  assert.ok(!sink.records.some((r) => r.level >= 50), 'no error-level logs from fuzzing');
  // Every connection was released.
  for (let i = 0; i < 50 && server.connections > 0; i++)
    await new Promise((r) => setTimeout(r, 10));
  assert.equal(server.connections, 0);
});

test('a second server on a live path refuses to start; a stale socket file is replaced', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'c.sock');
  await startServer(t, path);
  const second = new ControlServer({
    path,
    handlers: {},
    log: createLogger({ write: () => undefined }),
  });
  await assert.rejects(
    second.start(),
    (err: AppError) => err.code === 'ERR_CONTROL_IN_USE' && err.message.includes(path),
  );
  assert.equal(((await request(path, 'hello')) as { protocol: number }).protocol, 1);

  // A daemon killed with SIGKILL leaves its socket file behind with nobody listening.
  const stale = join(dir, 'stale.sock');
  const child = spawnSync(process.execPath, [
    '-e',
    `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`,
  ]);
  assert.equal(child.signal, 'SIGKILL');
  assert.ok(lstatSync(stale).isSocket());
  await rejectsWith(request(stale, 'hello'), 'ERR_CONTROL_UNREACHABLE');
  await startServer(t, stale);
  assert.equal(((await request(stale, 'hello')) as { protocol: number }).protocol, 1);

  // A regular file is never taken for a socket.
  const file = join(dir, 'file.sock');
  writeFileSync(file, 'keep me');
  const third = new ControlServer({
    path: file,
    handlers: {},
    log: createLogger({ write: () => undefined }),
  });
  await assert.rejects(third.start(), (err: AppError) => err.code === 'ERR_CONTROL_IN_USE');
  assert.ok(lstatSync(file).isFile());
});

test('connection limit answers ERR_CONTROL_BUSY; idle connections are closed', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'c.sock');
  const clock = new ManualClock();
  const { server } = await startServer(t, path, { maxConnections: 2, clock });
  const a = await ControlClient.connect(path);
  const b = await ControlClient.connect(path);
  t.after(() => {
    a.close();
    b.close();
  });
  await a.request('hello');
  await b.request('hello');
  await rejectsWith(request(path, 'hello'), 'ERR_CONTROL_BUSY');
  assert.equal(server.connections, 2);
  // Thirty idle seconds later both are ended by the server.
  clock.advance(30_000);
  await rejectsWith(a.request('hello'), 'ERR_CONTROL_CLOSED');
  await rejectsWith(b.request('hello'), 'ERR_CONTROL_CLOSED');
  await until(() => server.connections === 0);
  assert.equal(((await request(path, 'hello')) as { protocol: number }).protocol, 1);
});
