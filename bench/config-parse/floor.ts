// The floor of bench/config-parse: the least any Node program must do to check a
// keepalived.conf, timed as a process like `tandem -t`. It reads the file and splits it into
// words and braces (comments skipped, each token's line kept), and checks that the braces
// balance; no keyword is looked at, nothing is built, nothing is validated. Node's own start-up
// is included, as it is in `tandem -t`. When this alone takes as long as `keepalived -t`, no
// compiler written for this runtime can be faster than keepalived on that machine.
// Usage: node build/bench/config-parse/floor.js FILE

import { readFileSync } from 'node:fs';

function scan(text: string): { tokens: number; depth: number } {
  const n = text.length;
  const starts = new Int32Array((n >> 1) + 1);
  const lines = new Int32Array((n >> 1) + 1);
  let tokens = 0;
  let line = 1;
  let depth = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      i++;
    } else if (c === 32 || c === 9 || c === 13) i++;
    else if (c === 33 || c === 35) {
      while (i < n && text.charCodeAt(i) !== 10) i++;
    } else if (c === 123 || c === 125) {
      depth += c === 123 ? 1 : -1;
      starts[tokens] = i;
      lines[tokens++] = line;
      i++;
    } else {
      starts[tokens] = i;
      lines[tokens++] = line;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d <= 32 || d === 123 || d === 125 || d === 33 || d === 35) break;
        i++;
      }
    }
  }
  return { tokens, depth };
}

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write('usage: floor.js FILE\n');
  process.exitCode = 2;
} else {
  const r = scan(readFileSync(file, 'utf8'));
  process.stdout.write(`${r.tokens} tokens, brace depth at the end ${r.depth}\n`);
  process.exitCode = r.depth === 0 ? 0 : 1;
}
