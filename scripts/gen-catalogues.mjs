// Writes the files generated from the code (src/daemon/catalogue-docs.ts): docs/errors.md,
// docs/diagnostics.md, docs/config-reference.md and examples/quickstart.conf. `npm run docs:gen`
// builds first and runs this.
// test/unit/docs/catalogues.test.ts fails when the committed files differ from this output.
import { writeFileSync } from 'node:fs';
import { renderCatalogues } from '../build/src/daemon/catalogue-docs.js';

for (const [path, text] of Object.entries(renderCatalogues())) writeFileSync(path, text);
