// packaging/tandem.service stays in step with the binary: every tandem command line in the unit
// parses with tandem's own argument parser, and the unit names the files docs/operations.md does.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseDaemonArgs } from '../../../src/daemon/args.js';
import { REPO } from '../../helpers/paths.js';

const unit = readFileSync(join(REPO, 'packaging', 'tandem.service'), 'utf8');

test('every tandem command line of the unit is valid', () => {
  const lines = unit.split('\n').filter((l) => /^Exec\w+=\/usr\/local\/bin\/tandem /.test(l));
  assert.ok(lines.length >= 3, 'ExecStartPre, ExecStart and ExecReload run tandem');
  for (const line of lines) {
    const argv = line
      .slice(line.indexOf(' ') + 1)
      .split(/\s+/)
      .filter((w) => w !== '' && w !== '$TANDEM_OPTIONS');
    const parsed = parseDaemonArgs(argv);
    assert.ok(parsed.ok, `${line}: ${parsed.ok ? '' : parsed.message}`);
  }
});

test('the unit reloads with SIGHUP, stops with SIGTERM and uses the documented files', () => {
  assert.match(unit, /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
  assert.match(unit, /^KillSignal=SIGTERM$/m);
  assert.match(unit, /^EnvironmentFile=-\/etc\/default\/tandem$/m);
  assert.match(unit, /^PIDFile=\/run\/tandem\.pid$/m);
  assert.match(unit, /-f \/etc\/keepalived\/keepalived\.conf -p \/run\/tandem\.pid/);
});
