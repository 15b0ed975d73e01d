import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closest, editDistance } from '../../../src/lib/suggest.js';

test('editDistance counts insertions, deletions, substitutions and transpositions', () => {
  assert.equal(editDistance('delay_loop', 'delay_loop'), 0);
  assert.equal(editDistance('dealy_loop', 'delay_loop'), 1);
  assert.equal(editDistance('delay_lop', 'delay_loop'), 1);
  assert.equal(editDistance('abc', ''), 3);
});

test('closest suggests plausible typos only', () => {
  const words = ['delay_loop', 'delay_before_retry', 'connect_timeout', 'retry'];
  assert.equal(closest('dealy_loop', words), 'delay_loop');
  assert.equal(closest('conect_timeout', words), 'connect_timeout');
  assert.equal(closest('weight', words), undefined);
});
