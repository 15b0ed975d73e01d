// Paths of the built binaries, from the compiled bench's location (build/bench/...).
import { fileURLToPath } from 'node:url';

export const TANDEM_BIN = fileURLToPath(new URL('../src/daemon/main.js', import.meta.url));
