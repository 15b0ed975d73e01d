// NlaWriter against rtnl-codec's encodeAttrs (itself checked against hand-written vectors):
// the same bytes for any attributes, past the first buffer's size and with nesting.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { NlaWriter } from '../../../src/sys/nla-writer.js';
import { encodeAttrs } from '../../../src/sys/rtnl-codec.js';

test('any attributes, any sizes, nested: the bytes encodeAttrs writes', () => {
  const attr = fc.record({ type: fc.nat(0x3fff), value: fc.uint8Array({ maxLength: 70 }) });
  fc.assert(
    fc.property(
      fc.array(attr, { maxLength: 20 }),
      fc.array(attr, { maxLength: 20 }),
      (outer, inner) => {
        const w = new NlaWriter(8);
        for (const a of outer) w.bytes(a.type, a.value);
        w.nest(7, () => {
          for (const a of inner) w.bytes(a.type, a.value);
        });
        const want = encodeAttrs([...outer, { type: 7, value: encodeAttrs(inner) }]);
        assert.deepEqual(w.finish(), want);
      },
    ),
  );
});

test('typed fields: host order, network order, strings with their NUL', () => {
  const w = new NlaWriter(4)
    .u8(1, 0x1ff)
    .u16(2, 0x1234, true)
    .u32(3, 0xffffff00, true)
    .string(4, 'ab');
  const be = new Uint8Array([0x12, 0x34]);
  const want = encodeAttrs([
    { type: 1, value: Uint8Array.of(0xff) },
    { type: 2, value: be },
    { type: 3, value: Uint8Array.of(0xff, 0xff, 0xff, 0x00) },
    { type: 4, value: Uint8Array.of(0x61, 0x62, 0) },
  ]);
  assert.deepEqual(w.finish(), want);
});
