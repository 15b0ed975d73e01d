// Writes docs/errors.md and docs/diagnostics.md from the code catalogues (run after a build).
// test/unit/docs/catalogues.test.ts fails when the committed files differ from this output.
import { writeFileSync } from 'node:fs';
import { renderCatalogues } from '../build/src/daemon/catalogue-docs.js';

for (const [path, text] of Object.entries(renderCatalogues())) writeFileSync(path, text);
