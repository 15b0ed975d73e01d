// tandemadm and `tandem -t` are started by scripts and timed against ipvsadm and keepalived:
// every ES module they load statically costs Node start-up time (about 0.7 ms each here), and
// koffi loads a native library. These tests walk the static import graph of the built entry
// points and keep the heavy parts (the kernel path, the daemon, the data planes) behind
// dynamic import().

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../../src');

/** Files reached from `entry` through static `import … from` / `export … from` only. */
function staticGraph(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+'([^']+)';/gms)) {
      const spec = m[1] ?? '';
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else seen.add(spec);
    }
  };
  visit(resolve(SRC, entry));
  return [...seen].map((f) => (f.startsWith('/') ? relative(SRC, f) : f));
}

test('tandemadm loads only the argument reader and the control client up front', () => {
  const graph = staticGraph('cli/main.js');
  const heavy = graph.filter(
    (f) => f === 'koffi' || /^(sys|dataplane|daemon|config|check|vrrp)\//.test(f),
  );
  assert.deepEqual(heavy, []);
  assert.ok(graph.length <= 25, `tandemadm loads ${graph.length} modules statically`);
});

test('tandem (-t, --version) loads the configuration compiler and nothing that runs', () => {
  const graph = staticGraph('daemon/main.js');
  const heavy = graph.filter(
    (f) => f === 'koffi' || /^(sys|dataplane|ipvs|control|check|vrrp|notify|web)\//.test(f),
  );
  assert.deepEqual(heavy, []);
});
