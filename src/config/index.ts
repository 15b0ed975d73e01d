// The configuration layer's public surface.
export { compileConfig, type CompileOptions, type CompileResult } from './compile.js';
export { nodeFs, memoryFs, type ConfigFs } from './config-fs.js';
export {
  DIAGNOSTIC_CODES,
  formatDiagnostic,
  formatDiagnostics,
  summarize,
  type Diagnostic,
  type DiagnosticCode,
  type Severity,
} from './diagnostics.js';
export type * from './model.js';
export { LVS_SCHEDULERS } from './model.js';
