// track_interface initial state from sysfs: IFF_UP plus operstate up/unknown (= IFF_RUNNING).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { linkStateFromSysfs, linkUpFrom } from '../../../src/vrrp/track-interface.js';

test('linkUpFrom: administratively up and operationally up or unknown', () => {
  assert.equal(linkUpFrom(0x1003, 'up\n'), true);
  assert.equal(linkUpFrom(0x9, 'unknown\n'), true); // lo
  assert.equal(linkUpFrom(0x1003, 'down\n'), false); // no carrier
  assert.equal(linkUpFrom(0x1002, 'down\n'), false); // ip link set down
  assert.equal(linkUpFrom(0x1002, 'up\n'), false);
  assert.equal(linkUpFrom(0x1003, 'lowerlayerdown'), false);
  assert.equal(linkUpFrom(0x1003, 'dormant'), false);
});

test('linkStateFromSysfs reads flags and operstate; absent interfaces are undefined', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'tandem-sysfs-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const iface = (name: string, flags: string, operstate: string): void => {
    mkdirSync(join(root, name));
    writeFileSync(join(root, name, 'flags'), `${flags}\n`);
    writeFileSync(join(root, name, 'operstate'), `${operstate}\n`);
  };
  iface('eth1', '0x1003', 'up');
  iface('eth2', '0x1002', 'down');
  iface('odd', 'zz', 'up');
  assert.equal(linkStateFromSysfs('eth1', root), true);
  assert.equal(linkStateFromSysfs('eth2', root), false);
  assert.equal(linkStateFromSysfs('odd', root), undefined);
  assert.equal(linkStateFromSysfs('eth9', root), undefined);
  assert.equal(linkStateFromSysfs('../etc', root), undefined);
  assert.equal(linkStateFromSysfs('', root), undefined);
});

test('linkStateFromSysfs on this host: lo is up', () => {
  assert.equal(linkStateFromSysfs('lo'), true);
  assert.equal(linkStateFromSysfs(`nx${process.pid}`), undefined);
});
