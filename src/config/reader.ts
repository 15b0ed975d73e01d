// Reads the main configuration file and everything it includes into one token stream.
// keepalived's includes are textual (a block may open in one file and close in another), so
// includes are resolved here, before blocks are parsed. Paths in `include` are relative to the
// directory of the including file; patterns go through glob with brace expansion; a file that
// is already being read (directly or through other files) is a cycle and is not read again.
//   include / includew / includeb  missing files are ignored (a warning when the pattern has no
//                                  wildcard: it names one file, and that file is absent)
//   includer / includem / includea a pattern that matches no readable file is an error

import { dirname, isAbsolute, resolve } from 'node:path';
import type { ConfigFs } from './config-fs.js';
import type { DiagnosticSink, Location, Source } from './diagnostics.js';
import { glob, hasMagic, expandBraces } from './glob.js';
import {
  colAt,
  decomment,
  isSpace,
  plainLine,
  PLAIN,
  SPECIAL,
  slice,
  srcLine,
  tokenize,
  type SrcLine,
  type Word,
} from './lexer.js';

import { createPreprocessor, preprocessLine, type PreprocessOptions } from './preprocess.js';
import {
  CLOSE,
  OPEN,
  createTokenStore,
  pushToken,
  pushWordText,
  type TokenStore,
} from './tokens.js';

export interface ReadOptions extends PreprocessOptions {
  readonly fs: ConfigFs;
  readonly sink: DiagnosticSink;
}

export interface ReadResult {
  readonly tokens: TokenStore;
  /** Every file read, main file first. */
  readonly files: readonly string[];
  /** Every file read, by path, with its include chain (for diagnostics on model positions). */
  readonly sources: ReadonlyMap<string, Source>;
  /** False when the main file itself could not be read. */
  readonly mainRead: boolean;
}

const STRICT_INCLUDES = new Set(['includer', 'includem', 'includea']);
const MAX_DEPTH = 32;

export function readConfig(mainPath: string, opts: ReadOptions): ReadResult {
  const pp = createPreprocessor(opts);
  const tokens = createTokenStore();
  const files: string[] = [];
  const sources = new Map<string, Source>();
  const stack: string[] = [];
  let logical = 0;

  const readFile = (source: Source): boolean => {
    let text: string;
    try {
      text = opts.fs.readFile(source.path);
    } catch (err) {
      const reason = (err as { code?: string }).code ?? 'unreadable';
      if (source.includedFrom === undefined) {
        opts.sink.error(
          'CFG_FILE_NOT_FOUND',
          undefined,
          `cannot read configuration file '${source.path}': ${describeErrno(reason)}`,
        );
      } else {
        opts.sink.error(
          'CFG_INCLUDE_NOT_FOUND',
          source.includedFrom,
          `cannot read included file '${source.path}': ${describeErrno(reason)}`,
        );
      }
      return false;
    }
    files.push(source.path);
    if (!sources.has(source.path)) sources.set(source.path, source);
    stack.push(opts.fs.realpath(source.path));
    const dir = dirname(source.path);
    const src = tokens.sources.push(source) - 1;
    const buf = tokens.bufs.push(text) - 1;
    // Physical lines end at \n (one \r before it is dropped); a final empty piece is no line.
    let lineNo = 0;
    for (let start = 0; start < text.length;) {
      const nl = text.indexOf('\n', start);
      let end = nl < 0 ? text.length : nl;
      if (nl >= 0 && end > start && text.charCodeAt(end - 1) === 13) end--;
      lineNo++;
      if (pp.pending === undefined) {
        const r = plainLine(tokens, text, buf, start, end, src, lineNo, logical + 1);
        if (r === PLAIN) logical++;
        if (r !== SPECIAL) {
          start = nl < 0 ? text.length : nl + 1;
          continue;
        }
      }
      specialLine(text.slice(start, end), source, src, lineNo, dir);
      start = nl < 0 ? text.length : nl + 1;
    }
    if (pp.pending !== undefined) {
      // A multi-line definition that runs to the end of a file ends there.
      pp.defs.set(pp.pending.name, pp.pending.lines);
      delete pp.pending;
    }
    stack.pop();
    return true;
  };

  /** A line that needs decommenting, preprocessing or include handling (the general path). */
  const specialLine = (raw: string, source: Source, src: number, lineNo: number, dir: string) => {
    const dc = decomment(srcLine(raw.replace(/\0/g, ' ')));
    if (dc.unterminatedQuote !== undefined) {
      opts.sink.error(
        'CFG_UNTERMINATED_QUOTE',
        { source, line: lineNo, column: colAt(srcLine(raw), dc.unterminatedQuote) },
        "unterminated quote: the '\"' is never closed on this line",
      );
    }
    if (dc.line.text === '') return;
    const lx = { sink: opts.sink, source, lineNo, dir };
    for (const out of preprocessLine(pp, dc.line, lx)) {
      // `include` is recognised on the raw line, before braces are split off, so that a
      // pattern such as {a,b}.conf stays one word (keepalived does the same).
      const inc = /^(include[rmwba]?)(?=\s|$)/.exec(out.line.text);
      if (inc !== null) {
        const kw = tokenize(slice(out.line, 0, inc[0].length), source, lineNo, ++logical)[0];
        if (kw?.kind !== 'word') continue;
        if (out.expanded) {
          opts.sink.error(
            'CFG_INCLUDE_AFTER_EXPANSION',
            kw.at,
            `'${kw.text}' cannot be produced by @, $ or ~SEQ processing; write it on a plain line`,
          );
        } else {
          include(kw, patternWords(slice(out.line, inc[0].length), source, lineNo, logical), dir);
        }
        continue;
      }
      for (const t of tokenize(out.line, source, lineNo, ++logical)) {
        if (t.kind === 'word')
          pushWordText(tokens, t.text, t.quoted, src, t.at.line, t.at.column, t.line);
        else
          pushToken(
            tokens,
            t.kind === 'open' ? OPEN : CLOSE,
            0,
            0,
            0,
            src,
            t.at.line,
            t.at.column,
            t.line,
          );
      }
    }
  };

  const include = (kw: Word, words: readonly Word[], dir: string): void => {
    if (words.length === 0) {
      opts.sink.error(
        'CFG_INCLUDE_MISSING_PATTERN',
        kw.at,
        `'${kw.text}' needs a file name or pattern`,
      );
      return;
    }
    for (const word of words) includePattern(kw, word, dir);
  };

  const includePattern = (kw: Word, word: Word, dir: string): void => {
    const pattern = isAbsolute(word.text) ? word.text : resolve(dir, word.text);
    const magic = hasMagic(pattern) || expandBraces(pattern).length > 1;
    const matches = magic ? glob(pattern, opts.fs) : [pattern];
    if (matches.length === 0 || (!magic && opts.fs.kind(pattern) !== 'file')) {
      const strict = STRICT_INCLUDES.has(kw.text);
      if (strict || !magic) {
        const report = strict ? opts.sink.error.bind(opts.sink) : opts.sink.warning.bind(opts.sink);
        report(
          'CFG_INCLUDE_NOT_FOUND',
          word.at,
          magic
            ? `'${word.text}' matches no file`
            : `included file '${word.text}' does not exist (resolved to ${pattern})`,
        );
      }
      return;
    }
    for (const path of matches) {
      const real = opts.fs.realpath(path);
      const includedFrom: Location = word.at;
      if (stack.includes(real)) {
        opts.sink.error(
          'CFG_INCLUDE_CYCLE',
          word.at,
          `'${path}' is already being read: including it again would loop forever`,
        );
        continue;
      }
      if (stack.length >= MAX_DEPTH) {
        opts.sink.error('CFG_INCLUDE_CYCLE', word.at, `includes nested deeper than ${MAX_DEPTH}`);
        continue;
      }
      readFile({ path, includedFrom });
    }
  };

  const mainRead = readFile({ path: mainPath });
  return { tokens, files, sources, mainRead };
}

function describeErrno(code: string): string {
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return code;
  }
}

/** Whitespace-separated words of an include line, quotes removed, braces kept. */
function patternWords(line: SrcLine, source: Source, lineNo: number, logical: number): Word[] {
  const words: Word[] = [];
  let i = 0;
  while (i < line.text.length) {
    if (isSpace(line.text.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    let text = '';
    let inQuote = false;
    while (i < line.text.length && (inQuote || !isSpace(line.text.charCodeAt(i)))) {
      const ch = line.text[i] ?? '';
      if (ch === '"') inQuote = !inQuote;
      else text += ch;
      i++;
    }
    const column = colAt(line, start);
    words.push({
      kind: 'word',
      text,
      quoted: false,
      at: { source, line: lineNo, column },
      line: logical,
    });
  }
  return words;
}
