// Paths of the repository, from the compiled test's location (build/test/...).
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const FIXTURES = join(REPO, 'test', 'fixtures');
export const TANDEM = join(REPO, 'build', 'src', 'daemon', 'main.js');
