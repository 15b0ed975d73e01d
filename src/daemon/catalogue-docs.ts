// The files generated from the code, so the documentation cannot drift from it: the error and
// diagnostic catalogues, the configuration reference (from the keyword tables) and the demo's
// configuration as examples/quickstart.conf. `npm run docs:gen` writes them;
// test/unit/docs/catalogues.test.ts fails when a committed file differs from this output.

import { DIAGNOSTIC_CODES } from '../config/diagnostics.js';
import { renderConfigReference } from '../config/reference.js';
import { ERROR_CODES } from '../lib/errors.js';
import { renderDemoConfig } from './demo-config.js';
import { DEFAULT_PREFIX, defaultRunDir, demoPlan } from './demo-plan.js';

function table(title: string, intro: string, codes: Readonly<Record<string, string>>): string {
  const rows = Object.entries(codes).map(([code, text]) => `| \`${code}\` | ${text} |`);
  return `# ${title}\n\n${intro}\n\n| code | meaning |\n|---|---|\n${rows.join('\n')}\n`;
}

export function renderCatalogues(): Record<string, string> {
  return {
    'docs/errors.md': table(
      'Error codes',
      'Generated from `src/lib/errors.ts` by `npm run docs:gen`; do not edit by hand.\n\nErrors tandem throws or returns at run time carry one of these stable codes. Codes are never reused.',
      ERROR_CODES,
    ),
    'docs/diagnostics.md': table(
      'Configuration diagnostics',
      'Generated from `src/config/diagnostics.ts` by `npm run docs:gen`; do not edit by hand.\n\n`tandem -t` prints each problem as `FILE:LINE:COL: error|warning|note: message [CODE]`. Columns count characters (Unicode code points) of the line. Errors make `tandem -t` exit 1; warnings and notes do not.',
      DIAGNOSTIC_CODES,
    ),
    'docs/config-reference.md': renderConfigReference(),
    // The run directory does not appear in the configuration text.
    'examples/quickstart.conf': renderDemoConfig(demoPlan(DEFAULT_PREFIX, defaultRunDir())),
  };
}
