import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../../src/lib/clock.js';
import { createLogger, memorySink } from '../../../src/lib/log.js';

test('logger: object first, message second, child bindings, level filter', () => {
  const sink = memorySink();
  const log = createLogger({ level: 'info', write: sink.write, now: () => 42 });
  log.child({ subsys: 'proxy' }).info({ vs: 'tcp:127.0.0.1:80' }, 'listening');
  log.debug({}, 'hidden');
  assert.deepEqual(sink.records, [
    { level: 30, time: 42, subsys: 'proxy', vs: 'tcp:127.0.0.1:80', msg: 'listening' },
  ]);
});

test('manual clock fires timers in due order and repeats intervals', () => {
  const clock = new ManualClock(0);
  const fired: string[] = [];
  clock.setTimer(30, () => fired.push(`t30@${clock.now()}`));
  const cancel = clock.every(20, () => fired.push(`e@${clock.now()}`));
  clock.setTimer(10, () => fired.push(`t10@${clock.now()}`));
  clock.advance(50);
  cancel();
  clock.advance(100);
  assert.deepEqual(fired, ['t10@10', 'e@20', 't30@30', 'e@40']);
  assert.equal(clock.now(), 150);
});
