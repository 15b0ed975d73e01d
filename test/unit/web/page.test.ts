import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Script } from 'node:vm';
import { statusPage } from '../../../src/web/index.js';

test('the status page is one self-contained document with a script that compiles', () => {
  const html = statusPage({ refreshMs: 2000 });
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /refresh every 2 s/);
  assert.doesNotMatch(html, /\b(src|href)="(https?:)?\/\//, 'no external assets');
  assert.doesNotMatch(html, /<link\b|<img\b|@import/);
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
  assert.equal(scripts.length, 1);
  assert.doesNotThrow(() => new Script(scripts[0]!));
  assert.match(scripts[0]!, /var REFRESH_MS = 2000;/);
  assert.match(statusPage({ refreshMs: 5000 }), /refresh every 5 s/);
});
