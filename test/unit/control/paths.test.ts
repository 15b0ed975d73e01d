// The default control socket path for root and for other users.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultControlPath } from '../../../src/control/paths.js';

test('defaultControlPath: root, XDG_RUNTIME_DIR, /tmp fallback', () => {
  assert.equal(
    defaultControlPath({ uid: 0, env: { XDG_RUNTIME_DIR: '/run/user/0' } }),
    '/run/tandem/control.sock',
  );
  assert.equal(
    defaultControlPath({ uid: 1000, env: { XDG_RUNTIME_DIR: '/run/user/1000' } }),
    '/run/user/1000/tandem/control.sock',
  );
  assert.equal(defaultControlPath({ uid: 1000, env: {} }), '/tmp/tandem-1000/control.sock');
  // A relative XDG_RUNTIME_DIR is invalid per the XDG spec and ignored.
  assert.equal(
    defaultControlPath({ uid: 1000, env: { XDG_RUNTIME_DIR: 'run' } }),
    '/tmp/tandem-1000/control.sock',
  );
});
