import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseControl, sockaddrText } from '../../../src/sys/recvmsg.js';

const bytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));

describe('control messages (LP64 cmsghdr)', () => {
  test('IPV6_HOPLIMIT then IPV6_PKTINFO, each padded to 8 bytes', () => {
    const hop = '1400000000000000' + '29000000' + '34000000' + 'ff000000' + '00000000'; // len 20 + pad
    const info =
      '2400000000000000' +
      '29000000' +
      '32000000' +
      'ff020000000000000000000000000012' +
      '02000000';
    const msgs = parseControl(bytes(hop + info));
    assert.equal(msgs.length, 2);
    assert.deepEqual(
      msgs.map((m) => [m.level, m.type, Buffer.from(m.data).toString('hex')]),
      [
        [41, 52, 'ff000000'],
        [41, 50, 'ff02000000000000000000000000001202000000'],
      ],
    );
  });

  test('a truncated or short header ends the list without throwing', () => {
    assert.deepEqual(parseControl(bytes('ff00000000000000' + '00000000' + '00000000')), []);
    assert.deepEqual(parseControl(bytes('0800000000000000')), []);
    assert.deepEqual(parseControl(new Uint8Array(0)), []);
  });
});

describe('sockaddr text', () => {
  test('sockaddr_in and sockaddr_in6', () => {
    assert.equal(
      sockaddrText(bytes('0200' + '0000' + '0a4d0001' + '0000000000000000')),
      '10.77.0.1',
    );
    assert.equal(
      sockaddrText(
        bytes('0a00' + '0000' + '00000000' + 'fe80000000000000000000000000000a' + '02000000'),
      ),
      'fe80::a',
    );
    assert.equal(sockaddrText(bytes('1100')), undefined);
    assert.equal(sockaddrText(new Uint8Array(1)), undefined);
  });
});
