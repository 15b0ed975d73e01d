// The HTTP_GET response decoder and url judging: framing by Content-Length, chunked coding and
// close; keepalived's leniency (status 0, truncated bodies); random bytes never throw; chunked
// coding decodes back to the body however it is cut and however the bytes arrive.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  decodeChunked,
  decodeResponse,
  type DecodeResponse,
} from '../../../src/check/http-response.js';
import { compileUrl, firstMatch } from '../../../src/check/http-verdict.js';
import { url } from '../../helpers/checks.js';
import { chunkedResponse } from '../../helpers/raw-http.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
function body(d: DecodeResponse): string | undefined {
  return d.kind === 'response' ? d.value.body.toString('latin1') : undefined;
}

test('Content-Length frames the body; more bytes are ignored, fewer wait for more', () => {
  const full = b('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA');
  const d = decodeResponse(full, false);
  assert.equal(d.kind, 'response');
  assert.equal(body(d), 'hello');
  assert.equal(d.kind === 'response' && d.value.status, 200);
  assert.equal(
    decodeResponse(b('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel'), false).kind,
    'incomplete',
  );
  const cut = decodeResponse(b('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel'), true);
  assert.deepEqual([body(cut), cut.kind === 'response' && cut.value.complete], ['hel', false]);
});

test('without framing the body runs to the close; 204/304 and 1xx have none', () => {
  assert.equal(decodeResponse(b('HTTP/1.0 200 OK\r\n\r\nabc'), false).kind, 'incomplete');
  assert.equal(body(decodeResponse(b('HTTP/1.0 200 OK\r\n\r\nabc'), true)), 'abc');
  // A Content-Length that is not a number is ignored, as keepalived does: read to close.
  assert.equal(
    body(decodeResponse(b('HTTP/1.0 200 OK\r\nContent-Length: x\r\n\r\nabc'), true)),
    'abc',
  );
  assert.equal(body(decodeResponse(b('HTTP/1.1 204 No Content\r\n\r\n'), false)), '');
  assert.equal(body(decodeResponse(b('HTTP/1.1 304 Not Modified\r\n\r\n'), false)), '');
  // Bare LF line ends are accepted.
  assert.equal(body(decodeResponse(b('HTTP/1.0 200 OK\nContent-Length: 2\n\nok'), false)), 'ok');
});

test('status lines without a code give status 0; no head at close is "no-header"', () => {
  for (const line of ['HTTP/1.1 2000 OK', 'HTTP/1.1 OK', 'garbage', 'HTTP/1.1 20 OK']) {
    const d = decodeResponse(b(`${line}\r\n\r\n`), true);
    assert.equal(d.kind === 'response' && d.value.status, 0, line);
  }
  assert.equal(decodeResponse(b('HTTP/1.1 503\r\n\r\n'), true).kind === 'response', true);
  assert.deepEqual(decodeResponse(b(''), true), { kind: 'invalid', reason: 'no-header' });
  assert.deepEqual(decodeResponse(b('HTTP/1.1 200 OK\r\n'), true), {
    kind: 'invalid',
    reason: 'no-header',
  });
  const huge = b(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(70_000)}`);
  assert.deepEqual(decodeResponse(huge, false), { kind: 'invalid', reason: 'header-too-large' });
});

test('chunked: extensions, trailers, LF-only, and damage', () => {
  const msg = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n';
  const d = decodeResponse(b(`${msg}3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n`), false);
  assert.deepEqual([body(d), d.kind === 'response' && d.value.complete], ['abcde', true]);
  assert.equal(decodeResponse(b(`${msg}3\r\nabc\r\n0\r\n`), false).kind, 'incomplete');
  assert.equal(decodeChunked(b('3\nabc\n0\n\n')).kind, 'done');
  const bad = decodeResponse(b(`${msg}3\r\nabcXX2\r\nde\r\n0\r\n\r\n`), false);
  assert.deepEqual([body(bad), bad.kind === 'response' && bad.value.badChunk], ['abc', true]);
  assert.equal(decodeChunked(b('zz\r\n')).kind, 'bad');
});

test('random bytes never throw, at close or not', () => {
  const prefixes = [
    '',
    'HTTP/1.1 200 OK\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n',
  ];
  fc.assert(
    fc.property(
      fc.constantFrom(...prefixes),
      fc.uint8Array({ maxLength: 300 }),
      fc.boolean(),
      (p, bytes, eof) => {
        const d = decodeResponse(Buffer.concat([b(p), bytes]), eof);
        assert.ok(['incomplete', 'response', 'invalid'].includes(d.kind));
        if (eof) assert.notEqual(d.kind, 'incomplete');
      },
    ),
    { numRuns: 500 },
  );
});

test('chunked coding round-trips, cut anywhere and delivered a prefix at a time', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 0, maxLength: 200 }),
      fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 10 }),
      (bytes, sizes) => {
        const payload = Buffer.from(bytes);
        const wire = chunkedResponse(200, payload, sizes);
        const whole = decodeResponse(wire, false);
        assert.equal(whole.kind, 'response');
        assert.ok(whole.kind === 'response' && whole.value.complete);
        assert.deepEqual(whole.kind === 'response' && whole.value.body, payload);
        for (let cut = 0; cut < wire.length; cut++) {
          const d = decodeResponse(wire.subarray(0, cut), false);
          assert.equal(d.kind, 'incomplete', `cut at ${cut}`);
        }
      },
    ),
    { numRuns: 100 },
  );
});

test('url judging: ranges, empty ranges with a digest, regex offsets', () => {
  const r = (status: number, text: string) => {
    const d = decodeResponse(
      b(`HTTP/1.1 ${status} X\r\nContent-Length: ${text.length}\r\n\r\n${text}`),
      false,
    );
    assert.ok(d.kind === 'response');
    return d.value;
  };
  assert.equal(compileUrl(url('/')).judge(r(299, '')), 'ok');
  assert.equal(compileUrl(url('/')).judge(r(300, '')), 'status');
  const digest = '5d41402abc4b2a76b9719d911017c592'; // md5("hello")
  assert.equal(compileUrl(url('/', { digest })).judge(r(500, 'hello')), 'ok');
  assert.equal(compileUrl(url('/', { digest })).judge(r(200, 'hullo')), 'digest');
  assert.equal(firstMatch(/b/, 'abab', 2), 3);
  assert.equal(firstMatch(/b/, 'abab', 4), undefined);
  // Offsets count bytes, as PCRE2 does without utf: é is two bytes in UTF-8.
  const u = url('/', { regex: 'x', regexMinOffset: 2, regexMaxOffset: 2 });
  assert.equal(compileUrl(u).judge(r(200, Buffer.from('éx').toString('latin1'))), 'ok');
  assert.equal(
    compileUrl(url('/', { regex: '(' })).regexError?.startsWith("Invalid regex: '('"),
    true,
  );
});
