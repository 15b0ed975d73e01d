// The control protocol's codec: frames built by hand (not by encodeFrame) and cut at every
// offset, the size limit judged from the header alone, body and request verdicts, and fuzzing
// (fast-check and seeded random bytes) to show the decoders return verdicts and never throw.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  decodeBody,
  decodeRequest,
  decodeResponse,
  encodeFrame,
  encodeMessage,
  frameLength,
  FrameDecoder,
  MAX_REQUEST_FRAME,
  REASON_CODES,
} from '../../../src/control/protocol.js';

/** A frame from its parts, independent of encodeFrame: big-endian length, then the body. */
function frame(body: string): Buffer {
  const b = Buffer.from(body, 'utf8');
  const h = Buffer.alloc(4);
  h.writeUInt32BE(b.length);
  return Buffer.concat([h, b]);
}

const HELLO = '{"v":1,"id":7,"method":"hello"}';

test('encodeFrame writes a big-endian length then the body', () => {
  const out = encodeFrame(Buffer.from('{}'));
  assert.equal(out.toString('hex'), '00000002' + '7b7d');
  assert.equal(frameLength(Buffer.from('{}')), 6);
});

test('encodeMessage matches the hand-built frame', () => {
  const msg = encodeMessage({ v: 1, id: 7, method: 'hello' });
  assert.equal(msg.toString('hex'), frame(HELLO).toString('hex'));
});

test('FrameDecoder: one frame cut at every offset, and three frames cut at every pair', () => {
  const one = frame(HELLO);
  for (let cut = 0; cut <= one.length; cut++) {
    const d = new FrameDecoder(MAX_REQUEST_FRAME);
    const a = d.push(one.subarray(0, cut));
    const b = d.push(one.subarray(cut));
    assert.ok(a.ok && b.ok);
    const frames = [...a.frames, ...b.frames];
    assert.deepEqual(
      frames.map((f) => f.toString()),
      [HELLO],
      `cut at ${cut}`,
    );
    assert.equal(d.buffered, 0);
  }
  const bodies = [HELLO, '{"v":1,"id":8,"method":"status","params":{}}', '"é✓"'];
  const all = Buffer.concat(bodies.map(frame));
  for (let i = 0; i <= all.length; i++) {
    for (let j = i; j <= all.length; j += 3) {
      const d = new FrameDecoder(MAX_REQUEST_FRAME);
      const got: string[] = [];
      for (const part of [all.subarray(0, i), all.subarray(i, j), all.subarray(j)]) {
        const r = d.push(part);
        assert.ok(r.ok);
        got.push(...r.frames.map((f) => f.toString()));
      }
      assert.deepEqual(got, bodies, `cuts at ${i}, ${j}`);
    }
  }
});

test('FrameDecoder: byte by byte', () => {
  const all = Buffer.concat([frame(HELLO), frame('[]')]);
  const d = new FrameDecoder(MAX_REQUEST_FRAME);
  const got: string[] = [];
  for (const byte of all) {
    const r = d.push(Buffer.from([byte]));
    assert.ok(r.ok);
    got.push(...r.frames.map((f) => f.toString()));
  }
  assert.deepEqual(got, [HELLO, '[]']);
});

test('FrameDecoder: an empty body is a frame (judged later by decodeBody)', () => {
  const r = new FrameDecoder(10).push(Buffer.from('00000000', 'hex'));
  assert.ok(r.ok);
  assert.equal(r.frames.length, 1);
  assert.equal(r.frames[0]?.length, 0);
});

test('FrameDecoder: too large is judged from the header, frames before it are kept', () => {
  const d = new FrameDecoder(MAX_REQUEST_FRAME);
  const big = Buffer.alloc(4);
  big.writeUInt32BE(MAX_REQUEST_FRAME + 1);
  const r = d.push(Buffer.concat([frame(HELLO), big, Buffer.from('xx')]));
  assert.equal(r.ok, false);
  assert.deepEqual(
    r.frames.map((f) => f.toString()),
    [HELLO],
  );
  assert.ok(!r.ok && r.reason === 'too-large' && r.length === MAX_REQUEST_FRAME + 1);
  // It stays failed: the stream cannot be resynchronised.
  const again = d.push(frame(HELLO));
  assert.equal(again.ok, false);
  assert.equal(again.frames.length, 0);
  // Exactly the limit is fine.
  const edge = new FrameDecoder(4);
  const ok = edge.push(Buffer.from('0000000461626364', 'hex'));
  assert.ok(ok.ok);
  assert.equal(ok.frames[0]?.toString(), 'abcd');
  const hdr = Buffer.from('ffffffff', 'hex');
  assert.equal(new FrameDecoder(MAX_REQUEST_FRAME).push(hdr).ok, false);
});

test('decodeBody: empty, bad UTF-8, bad JSON, JSON', () => {
  assert.deepEqual(decodeBody(Buffer.alloc(0)), { ok: false, reason: 'empty' });
  assert.deepEqual(decodeBody(Buffer.from('c328', 'hex')), { ok: false, reason: 'bad-utf8' });
  assert.deepEqual(decodeBody(Buffer.from('ed a0 80'.replaceAll(' ', ''), 'hex')), {
    ok: false,
    reason: 'bad-utf8',
  });
  assert.deepEqual(decodeBody(Buffer.from('{"v":1,')), { ok: false, reason: 'bad-json' });
  assert.deepEqual(decodeBody(Buffer.from(' {"a":[1]} ')), { ok: true, value: { a: [1] } });
  assert.equal(REASON_CODES.empty, 'ERR_CONTROL_BAD_FRAME');
  assert.equal(REASON_CODES['bad-json'], 'ERR_CONTROL_BAD_JSON');
});

const REQUESTS: readonly { name: string; value: unknown; reason: string; id: number | null }[] = [
  { name: 'not an object', value: [1], reason: 'bad-request', id: null },
  { name: 'null', value: null, reason: 'bad-request', id: null },
  { name: 'a string', value: 'hello', reason: 'bad-request', id: null },
  { name: 'no version', value: { id: 1, method: 'hello' }, reason: 'bad-request', id: 1 },
  { name: 'string version', value: { v: '1', id: 1, method: 'x' }, reason: 'bad-request', id: 1 },
  { name: 'version 2', value: { v: 2, id: 3, method: 'x' }, reason: 'unsupported-version', id: 3 },
  { name: 'version 0, no id', value: { v: 0 }, reason: 'unsupported-version', id: null },
  { name: 'no id', value: { v: 1, method: 'hello' }, reason: 'bad-request', id: null },
  { name: 'negative id', value: { v: 1, id: -1, method: 'x' }, reason: 'bad-request', id: null },
  { name: 'fraction id', value: { v: 1, id: 1.5, method: 'x' }, reason: 'bad-request', id: null },
  { name: 'huge id', value: { v: 1, id: 2 ** 60, method: 'x' }, reason: 'bad-request', id: null },
  { name: 'no method', value: { v: 1, id: 4 }, reason: 'bad-request', id: 4 },
  { name: 'empty method', value: { v: 1, id: 4, method: '' }, reason: 'bad-request', id: 4 },
  {
    name: 'long method',
    value: { v: 1, id: 4, method: 'm'.repeat(65) },
    reason: 'bad-request',
    id: 4,
  },
  {
    name: 'array params',
    value: { v: 1, id: 5, method: 'x', params: [] },
    reason: 'bad-request',
    id: 5,
  },
  {
    name: 'null params',
    value: { v: 1, id: 5, method: 'x', params: null },
    reason: 'bad-request',
    id: 5,
  },
];

for (const r of REQUESTS) {
  test(`decodeRequest rejects ${r.name}`, () => {
    const got = decodeRequest(r.value);
    assert.equal(got.ok, false);
    assert.ok(!got.ok && got.reason === r.reason && got.id === r.id, JSON.stringify(got));
  });
}

test('decodeRequest accepts requests with and without params, dropping extra fields', () => {
  assert.deepEqual(decodeRequest({ v: 1, id: 0, method: 'hello' }), {
    ok: true,
    value: { v: 1, id: 0, method: 'hello' },
  });
  assert.deepEqual(
    decodeRequest({ v: 1, id: 9, method: 'ipvsadm', params: { argv: ['-L'] }, x: 1 }),
    { ok: true, value: { v: 1, id: 9, method: 'ipvsadm', params: { argv: ['-L'] } } },
  );
});

test('decodeResponse: results, errors, and malformed responses', () => {
  assert.deepEqual(decodeResponse({ v: 1, id: 2, ok: true, result: null }), {
    ok: true,
    value: { v: 1, id: 2, ok: true, result: null },
  });
  assert.deepEqual(
    decodeResponse({
      v: 1,
      id: null,
      ok: false,
      error: { code: 'ERR_CONTROL_BUSY', message: 'm' },
    }),
    {
      ok: true,
      value: { v: 1, id: null, ok: false, error: { code: 'ERR_CONTROL_BUSY', message: 'm' } },
    },
  );
  assert.deepEqual(decodeResponse({ v: 2, id: 1, ok: true, result: 1 }), {
    ok: false,
    reason: 'unsupported-version',
  });
  for (const bad of [
    null,
    [],
    { v: 1, id: 1, ok: true },
    { v: 1, id: null, ok: true, result: 1 },
    { v: 1, id: 1, ok: false },
    { v: 1, id: 1, ok: false, error: { code: 1, message: 'm' } },
    { v: 1, id: 1, ok: 'yes', result: 1 },
  ])
    assert.deepEqual(
      decodeResponse(bad),
      { ok: false, reason: 'bad-response' },
      JSON.stringify(bad),
    );
});

/** The whole server-side read path for arbitrary bytes; returns how many verdicts it gave. */
function readAll(bytes: Uint8Array, max: number, chunk: number): number {
  const d = new FrameDecoder(max);
  let verdicts = 0;
  for (let at = 0; at < bytes.length; at += chunk) {
    const r = d.push(bytes.subarray(at, at + chunk));
    for (const f of r.frames) {
      const body = decodeBody(f);
      if (body.ok) decodeRequest(body.value);
      verdicts++;
    }
    if (!r.ok) return verdicts + 1;
  }
  return verdicts;
}

test('fuzz: fast-check byte arrays and JSON values never make the decoders throw', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 40 }), (b, n) => {
      readAll(b, 64, n);
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      const r = decodeRequest(v);
      assert.equal(typeof r.ok, 'boolean');
      decodeResponse(v);
      const body = decodeBody(encodeFrame(Buffer.from(JSON.stringify(v) ?? '')).subarray(4));
      assert.equal(typeof body.ok, 'boolean');
    }),
    { numRuns: 2000 },
  );
  // Frames with valid lengths around random (often invalid) bodies.
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 80 }), { maxLength: 8 }), (bodies) => {
      const all = Buffer.concat(bodies.map((b) => encodeFrame(Buffer.from(b))));
      assert.equal(readAll(all, 1024, 7), bodies.length);
    }),
  );
});

// mqtt-packet's testRandom.js: a fixed seed, so a failure reproduces.
test('fuzz: seeded random buffers', () => {
  let seed = 0xc0ffee;
  const next = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  for (let i = 0; i < 5000; i++) {
    const len = next() % 200;
    const buf = Buffer.alloc(len);
    for (let j = 0; j < len; j++) buf[j] = next() & 0xff;
    // Half the cases get a plausible small length header so bodies reach the JSON path.
    if (i % 2 === 0 && len >= 4) buf.writeUInt32BE(next() % (len - 3));
    readAll(buf, 1024, 1 + (next() % 50));
  }
});
