// The configuration reference is generated from the keyword tables: every keyword of every block
// is in it with its status, ranges come from the number builders, and defaults follow the
// descriptions' conventions. (test/unit/docs/catalogues.test.ts checks the committed file.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderConfigReference, statedDefault } from '../../../src/config/reference.js';
import { allBlocks } from '../../../src/config/schema.js';

test('every keyword of every block has a row', () => {
  const text = renderConfigReference();
  let rows = 0;
  for (const block of allBlocks()) {
    assert.ok(text.includes(`\n## ${block.name}`), `section ${block.name}`);
    for (const k of block.keywords) {
      assert.match(text, new RegExp(`\\| \\[?\`${k.name.replace(/[-]/g, '\\-')}\``), k.name);
      rows++;
    }
  }
  assert.ok(text.includes(`${rows} keywords in ${allBlocks().length} blocks`));
});

test('rows carry status, range, default, aliases and deprecations', () => {
  const text = renderConfigReference();
  const row = (name: string, block: string): string => {
    const section = text.slice(text.indexOf(`\n## ${block}\n`));
    const line = section.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
    assert.ok(line !== undefined, `${block} ${name}`);
    return line;
  };
  assert.match(row('priority', 'vrrp_instance'), /`1\.\.255` \| supported \| `100` \|/);
  assert.match(
    row('delay_loop', 'TCP_CHECK'),
    /`SECONDS` \(0\.001\.\.86400\) \| supported \| `60` \|/,
  );
  assert.match(row('retry', 'TCP_CHECK'), /Also `nb_get_retry`/);
  assert.match(row('vrrp_transport', 'vrrp_instance'), /\| \*\*extension\*\* \|/);
  assert.match(row('use_vmac', 'vrrp_instance'), /\| \*unsupported\* \|/);
  assert.match(row('native_ipv6', 'vrrp_instance'), /\| ignored \|.*Ignored: /);
});

test('stated defaults', () => {
  const d = (doc: string, syntax = 'N'): string | undefined => statedDefault({ doc, syntax });
  assert.equal(d('Seconds between checks (60).'), '60');
  assert.equal(d('Election priority (100; 255 = address owner).'), '100');
  assert.equal(d('Scheduler (wlc, as ipvsadm).'), 'wlc');
  assert.equal(d('Seconds to wait for the SMTP server (default 30).'), '30');
  assert.equal(d('Name of this director in alerts (default: host name).'), 'host name');
  assert.equal(d('SMTP relay for alerts (port 25 by default).'), 'port 25');
  assert.equal(d('Accept packets while master (default).', '[on|off]'), 'on');
  assert.equal(d('E-mail on state changes (smtp_alert_vrrp / smtp_alert, off).'), undefined);
  assert.equal(d('Interfaces to follow.'), undefined);
});
