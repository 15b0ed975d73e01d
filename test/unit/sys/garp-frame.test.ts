import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gratuitousArpFrame, unsolicitedNaMessage } from '../../../src/sys/garp-frame.js';
import { sockaddrLl } from '../../../src/sys/garp.js';
import { parseMac, validInterfaceName } from '../../../src/sys/interface.js';

const hex = (b: Uint8Array | undefined): string | undefined =>
  b === undefined ? undefined : Buffer.from(b).toString('hex');

describe('gratuitous ARP frame', () => {
  test('broadcast Ethernet header + ARP request, sender = target = VIP', () => {
    assert.equal(
      hex(gratuitousArpFrame('02:00:5E:00:01:33', '10.0.0.100')),
      'ffffffffffff' +
        '02005e000133' +
        '0806' + // Ethernet: dst, src, type ARP
        '0001' +
        '0800' +
        '06' +
        '04' +
        '0001' + // Ethernet/IPv4, request
        '02005e000133' +
        '0a000064' + // sender MAC, sender IP
        'ffffffffffff' +
        '0a000064', // target MAC broadcast (keepalived), target IP
    );
  });

  test('bad input is undefined, not an exception', () => {
    assert.equal(gratuitousArpFrame('02:00:5e:00:01', '10.0.0.1'), undefined);
    assert.equal(gratuitousArpFrame('02:00:5e:00:01:33', 'fe80::1'), undefined);
    assert.equal(gratuitousArpFrame('02:00:5e:00:01:33', '10.0.0.256'), undefined);
  });
});

describe('unsolicited neighbour advertisement', () => {
  test('Override, target, target link-layer option, checksum left to the kernel', () => {
    assert.equal(
      hex(unsolicitedNaMessage('02:00:5e:00:02:33', 'fd00::100', false)),
      '88' +
        '00' +
        '0000' + // type 136, code 0, checksum 0
        '20000000' + // flags: Override only
        'fd000000000000000000000000000100' + // target
        '0201' +
        '02005e000233', // option 2, length 1 (8 bytes), MAC
    );
  });

  test('Router flag when forwarding', () => {
    assert.equal(
      hex(unsolicitedNaMessage('02:00:5e:00:02:33', 'fe80::1', true))?.slice(8, 10),
      'a0',
    );
  });

  test('bad input is undefined', () => {
    assert.equal(unsolicitedNaMessage('02:00:5e:00:02:33', '10.0.0.1', false), undefined);
    assert.equal(unsolicitedNaMessage('zz:00:5e:00:02:33', 'fe80::1', false), undefined);
  });
});

describe('link-layer helpers', () => {
  test('sockaddr_ll to broadcast on ifindex 7 for ETH_P_ARP', () => {
    assert.equal(
      hex(sockaddrLl(7, 0x0806)),
      '1100' + '0806' + '07000000' + '0000' + '00' + '06' + 'ffffffffffff0000',
    );
  });

  test('parseMac and interface names', () => {
    assert.deepEqual(
      parseMac('aa:BB:cc:00:01:ff'),
      Uint8Array.from([0xaa, 0xbb, 0xcc, 0, 1, 0xff]),
    );
    assert.equal(parseMac('aa:bb:cc:00:01'), undefined);
    assert.equal(parseMac('aa:bb:cc:00:01:fff'), undefined);
    assert.equal(validInterfaceName('eth0'), true);
    assert.equal(validInterfaceName('0123456789abcdef'), false, 'IFNAMSIZ');
    for (const bad of ['', '.', '..', 'a/b', 'a b'])
      assert.equal(validInterfaceName(bad), false, bad);
  });
});
