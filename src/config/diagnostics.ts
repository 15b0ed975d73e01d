// Configuration diagnostics (house style §15): collected, never thrown, printed compiler-style
// as `FILE:LINE:COL: severity: message [CODE]` so editors can jump to them. Lines and columns
// are 1-based; columns count Unicode code points of the source line. A diagnostic may carry
// notes (related places) and the include chain of the file it is in.

export const DIAGNOSTIC_CODES = {
  CFG_FILE_NOT_FOUND: 'the main configuration file does not exist or cannot be read',
  CFG_INCLUDE_NOT_FOUND: 'an include pattern matched no readable file',
  CFG_INCLUDE_CYCLE: 'a file includes itself, directly or through other files',
  CFG_INCLUDE_MISSING_PATTERN: 'include without a file pattern',
  CFG_INCLUDE_AFTER_EXPANSION: 'include produced by @, $ or ~SEQ processing',
  CFG_UNTERMINATED_QUOTE: 'a double quote is not closed on its line',
  CFG_BAD_DEFINITION: 'a $NAME=VALUE definition is malformed or uses a reserved name',
  CFG_BAD_SEQUENCE: 'a ~SEQ or ~LST line is malformed',
  CFG_UNKNOWN_KEYWORD: 'a keyword is not known in this block',
  CFG_MISPLACED_KEYWORD: 'a keyword belongs to another block',
  CFG_SLASH_COMMENT: "'//' or '/*' used as a comment",
  CFG_EXTRA_BRACE: "a '}' closes no block",
  CFG_MISSING_CLOSE_BRACE: 'a block is not closed before the end of the file',
  CFG_MISSING_OPEN_BRACE: "a block keyword is not followed by '{'",
  CFG_UNEXPECTED_OPEN_BRACE: "a '{' follows no block keyword",
  CFG_UNEXPECTED_BLOCK: 'a keyword that takes no block is followed by one',
  CFG_MISSING_ARGUMENT: 'a keyword lacks a required value',
  CFG_EXTRA_ARGUMENT: 'a keyword has more values than it takes',
  CFG_INVALID_NUMBER: 'a value is not a number',
  CFG_OUT_OF_RANGE: 'a number is outside the allowed range',
  CFG_INVALID_ADDRESS: 'a value is not a valid IP address or prefix',
  CFG_INVALID_VALUE: 'a value is not one of the accepted words',
  CFG_DEPRECATED: 'an old keyword or value that still works',
  CFG_IGNORED: 'a keyword that is accepted and has no effect',
  CFG_SURPRISING_DEFAULT: 'a setting left out takes a default that operators rarely expect',
  CFG_UNSUPPORTED: 'a known keepalived keyword that tandem does not implement',
  CFG_DUPLICATE_KEYWORD: 'a single-valued keyword is given twice in one block',
  CFG_DUPLICATE_NAME: 'two blocks of one kind share a name or address',
  CFG_DUPLICATE_VRID: 'two VRRP instances use one VRID on one interface',
  CFG_MISSING_REQUIRED: 'a block lacks a keyword it requires',
  CFG_UNDEFINED_REFERENCE: 'a name refers to nothing defined',
  CFG_CONFLICT: 'settings that contradict each other',
  CFG_VS_NOT_VIP: 'a virtual_server address is not a VIP of any vrrp_instance',
  CFG_NO_SUCH_INTERFACE: 'an interface does not exist on this host',
  CFG_SCRIPT_SECURITY: 'scripts are configured without enable_script_security',
  CFG_EMPTY: 'a block or list is empty where content is expected',
  CFG_DATAPLANE_UNSUPPORTED: 'the selected data plane cannot program this virtual server',
} as const;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;
export type Severity = 'error' | 'warning' | 'note';

/** A file being read, and where it was included from (undefined for the main file). */
export interface Source {
  readonly path: string;
  readonly includedFrom?: Location;
}

export interface Location {
  readonly source: Source;
  readonly line: number;
  readonly column: number;
}

export interface Note {
  readonly at?: Location;
  readonly message: string;
}

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  /** Undefined only for problems that have no place (a missing main file has its path). */
  readonly at?: Location;
  readonly endColumn?: number;
  readonly notes: readonly Note[];
}

/** Collects diagnostics in the order they are found. */
export class DiagnosticSink {
  readonly #items: Diagnostic[] = [];

  report(d: Omit<Diagnostic, 'notes'> & { notes?: readonly Note[] }): void {
    this.#items.push({ ...d, notes: d.notes ?? [] });
  }

  error(code: DiagnosticCode, at: Location | undefined, message: string, notes?: Note[]): void {
    this.report(withAt({ code, severity: 'error', message, notes: notes ?? [] }, at));
  }

  warning(code: DiagnosticCode, at: Location | undefined, message: string, notes?: Note[]): void {
    this.report(withAt({ code, severity: 'warning', message, notes: notes ?? [] }, at));
  }

  note(code: DiagnosticCode, at: Location | undefined, message: string, notes?: Note[]): void {
    this.report(withAt({ code, severity: 'note', message, notes: notes ?? [] }, at));
  }

  get items(): readonly Diagnostic[] {
    return this.#items;
  }

  get errorCount(): number {
    return this.#items.filter((d) => d.severity === 'error').length;
  }
}

function withAt(d: Omit<Diagnostic, 'at'>, at: Location | undefined): Diagnostic {
  return at === undefined ? d : { ...d, at };
}

/** Diagnostics sorted by file order of appearance, then line and column (stable). */
export function sortDiagnostics(items: readonly Diagnostic[]): Diagnostic[] {
  const fileOrder = new Map<string, number>();
  for (const d of items) {
    const p = d.at?.source.path;
    if (p !== undefined && !fileOrder.has(p)) fileOrder.set(p, fileOrder.size);
  }
  const key = (d: Diagnostic): [number, number, number] =>
    d.at === undefined
      ? [-1, 0, 0]
      : [fileOrder.get(d.at.source.path) ?? 0, d.at.line, d.at.column];
  return items
    .map((d, i) => ({ d, i, k: key(d) }))
    .sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || a.k[2] - b.k[2] || a.i - b.i)
    .map((x) => x.d);
}

export interface FormatOptions {
  /** Rewrites a path for display (for example relative to the current directory). */
  readonly displayPath?: (path: string) => string;
}

function place(at: Location | undefined, opts: FormatOptions): string {
  if (at === undefined) return 'tandem';
  const path = opts.displayPath ? opts.displayPath(at.source.path) : at.source.path;
  return `${path}:${at.line}:${at.column}`;
}

/** One diagnostic as text lines: the include chain, the diagnostic, then its notes. */
export function formatDiagnostic(d: Diagnostic, opts: FormatOptions = {}): string {
  const lines: string[] = [];
  for (let inc = d.at?.source.includedFrom; inc !== undefined; inc = inc.source.includedFrom) {
    lines.unshift(`In file included from ${place(inc, opts)}:`);
  }
  lines.push(`${place(d.at, opts)}: ${d.severity}: ${d.message} [${d.code}]`);
  for (const n of d.notes) lines.push(`${place(n.at ?? d.at, opts)}: note: ${n.message}`);
  return lines.join('\n');
}

export function formatDiagnostics(items: readonly Diagnostic[], opts: FormatOptions = {}): string {
  return sortDiagnostics(items)
    .map((d) => `${formatDiagnostic(d, opts)}\n`)
    .join('');
}

/** "2 errors, 1 warning" style summary; empty when there is nothing to say. */
export function summarize(items: readonly Diagnostic[]): string {
  const count = (s: Severity): number => items.filter((d) => d.severity === s).length;
  const parts: string[] = [];
  for (const [s, word] of [
    ['error', 'error'],
    ['warning', 'warning'],
    ['note', 'note'],
  ] as const) {
    const n = count(s);
    if (n > 0) parts.push(`${n} ${word}${n === 1 ? '' : 's'}`);
  }
  return parts.join(', ');
}
