// genhash's command line (keepalived's check_genhash.c options and complaints) and its hex dump
// (keepalived's dump_buffer layout), without a network.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hexDump, parseGenhashArgs } from '../../../src/check/genhash.js';

test('parseGenhashArgs: defaults, long and short spellings', () => {
  const a = parseGenhashArgs([
    '-T',
    '-s',
    '::1',
    '-p',
    '8080',
    '-u',
    '/x',
    '-S',
    '-I',
    '-V',
    'h',
    '-P',
    '1.0c',
    '-t',
    '3',
  ]);
  assert.deepEqual(a, {
    ok: true,
    help: false,
    options: {
      server: '::1',
      family: 'inet6',
      port: 8080,
      url: '/x',
      ssl: true,
      sni: true,
      verbose: false,
      protocol: '1.0C',
      timeoutMs: 3000,
      virtualhost: 'h',
    },
  });
  const b = parseGenhashArgs([
    '--server',
    '10.0.0.1',
    '--port',
    '80',
    '--url',
    '/',
    '--hash',
    'MD5',
  ]);
  assert.ok(b.ok && !b.help && b.options.protocol === '1.0' && b.options.timeoutMs === 5000);
  assert.deepEqual(parseGenhashArgs(['--help']), { ok: true, help: true });
});

test('parseGenhashArgs: keepalived complaints', () => {
  const msg = (argv: string[]) => {
    const r = parseGenhashArgs(argv);
    return r.ok ? 'ok' : r.message;
  };
  const base = ['-s', '10.0.0.1', '-p', '80', '-u', '/'];
  assert.equal(msg([]), '');
  assert.equal(msg(['-s', '10.0.0.1', '-u', '/']), '');
  assert.equal(
    msg(['-s', 'example.com', '-p', '80', '-u', '/']),
    'server should be an IP, not example.com',
  );
  assert.equal(msg(['-s', '10.0.0.1', '-p', '0', '-u', '/']), "invalid port number '0'");
  assert.equal(msg(['-s', '10.0.0.1', '-p', '8x', '-u', '/']), "invalid port number '8x'");
  assert.equal(msg([...base, '-P', '1.2']), "invalid HTTP protocol version '1.2'");
  assert.equal(msg([...base, '-t-1']), "invalid timeout '-1'");
  assert.equal(msg([...base, '-H', 'sha1']), "unsupported hash algorithm 'sha1' (only md5)");
  assert.equal(msg([...base, '-m', '5']), 'tandem built without fwmark support');
  assert.equal(msg([...base, 'a', 'b']), 'Unexpected argument(s): a b');
});

test('hexDump: keepalived dump_buffer layout', () => {
  const dump = hexDump(Buffer.from('HTTP/1.1 200 OK\r\nX'));
  assert.equal(
    dump,
    '0000  48 54 54 50 2f 31 2e 31 - 20 32 30 30 20 4f 4b 0d   HTTP/1.1 200 OK.\n' +
      `0016  0a 58${' '.repeat(19)}-${' '.repeat(27)}.X${' '.repeat(14)}\n`,
  );
});
