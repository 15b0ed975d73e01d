// Renders the error and diagnostic catalogues as Markdown, so the documentation is generated
// from the code and a test can tell when the committed docs are out of date.

import { DIAGNOSTIC_CODES } from '../config/diagnostics.js';
import { ERROR_CODES } from '../lib/errors.js';

function table(title: string, intro: string, codes: Readonly<Record<string, string>>): string {
  const rows = Object.entries(codes).map(([code, text]) => `| \`${code}\` | ${text} |`);
  return `# ${title}\n\n${intro}\n\n| code | meaning |\n|---|---|\n${rows.join('\n')}\n`;
}

export function renderCatalogues(): Record<string, string> {
  return {
    'docs/errors.md': table(
      'Error codes',
      'Generated from `src/lib/errors.ts` by `node scripts/gen-catalogues.mjs`; do not edit by hand.\n\nErrors tandem throws or returns at run time carry one of these stable codes. Codes are never reused.',
      ERROR_CODES,
    ),
    'docs/diagnostics.md': table(
      'Configuration diagnostics',
      'Generated from `src/config/diagnostics.ts` by `node scripts/gen-catalogues.mjs`; do not edit by hand.\n\n`tandem -t` prints each problem as `FILE:LINE:COL: error|warning|note: message [CODE]`. Columns count characters (Unicode code points) of the line. Errors make `tandem -t` exit 1; warnings and notes do not.',
      DIAGNOSTIC_CODES,
    ),
  };
}
