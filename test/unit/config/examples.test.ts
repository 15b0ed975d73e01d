// Every example configuration compiles with no error, and with no warning except the ones its
// header documents (eth1 is the back-end link of vrrp-full.conf, absent on a test machine), for
// each of the config ids it is written for.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compileConfig } from '../../../src/config/index.js';
import { REPO } from '../../helpers/paths.js';

const EXAMPLES = join(REPO, 'examples');
const files = [
  ...readdirSync(EXAMPLES).filter((f) => f.endsWith('.conf')),
  join('includes', 'keepalived.conf'),
];

for (const file of files) {
  test(`examples/${file} compiles cleanly`, () => {
    // quickstart.conf holds both directors of `npm start`, selected by --config-id a / b.
    for (const configId of file === 'quickstart.conf' ? ['a', 'b'] : ['lb1', 'lb2']) {
      const r = compileConfig(join(EXAMPLES, file), {
        hostname: 'lb1',
        user: 'root',
        configId,
        interfaces: new Set(['lo', 'eth0']),
      });
      const unexpected = r.diagnostics.filter(
        (d) =>
          d.severity !== 'note' &&
          !(d.code === 'CFG_NO_SUCH_INTERFACE' && d.message.includes("'eth1'")),
      );
      assert.deepEqual(
        unexpected.map((d) => `${d.at?.line ?? 0}: ${d.message}`),
        [],
      );
    }
  });
}

test('there are examples for every checker type', () => {
  const types = new Set<string>();
  for (const file of files) {
    for (const vs of compileConfig(join(EXAMPLES, file), { hostname: 'lb1', user: 'root' }).config
      .virtualServers) {
      for (const rs of vs.realServers) for (const c of rs.checkers) types.add(c.type);
    }
  }
  assert.deepEqual([...types].sort(), [
    'DNS_CHECK',
    'FILE_CHECK',
    'HTTP_GET',
    'MISC_CHECK',
    'PING_CHECK',
    'SMTP_CHECK',
    'SSL_GET',
    'TCP_CHECK',
    'UDP_CHECK',
  ]);
});
