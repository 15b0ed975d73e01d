// Builds the block tree from tokens, without knowing any keyword: a statement is the words of
// one logical line up to a brace; a `{` opens the block of the statement just before it (on
// the same line or a later one, as keepalived allows); `}` closes the innermost block.
// Brace problems are reported here and recovered from so that one run reports everything:
// a stray `{` opens an anonymous block (ignored), an extra `}` is dropped, blocks still open at
// the end of input are closed there.
//
// Like the tokens, the tree is stored in one Int32Array (seven numbers per statement). The
// Statement, Word and Block objects the keyword tables read are views made when a body is
// walked, so they die young instead of living (and being copied by the GC) for the whole run.

import { ensureInt32 } from '../lib/int32-grow.js';
import type { DiagnosticSink, Location, Note } from './diagnostics.js';
import {
  OPEN,
  QUOTED_WORD,
  tokenAt,
  tokenKind,
  tokenLogical,
  tokenText,
  type TokenStore,
} from './tokens.js';

export interface Word {
  readonly kind: 'word';
  readonly text: string;
  /** True when any part of the word was inside double quotes. */
  readonly quoted: boolean;
  readonly at: Location;
  /** Logical-line number, so the parser can group the words of one statement. */
  readonly line: number;
}

export interface Block {
  readonly open: Location;
  readonly close: Location | undefined;
  readonly body: readonly Statement[];
}

export interface Statement {
  readonly keyword: Word;
  readonly args: readonly Word[];
  readonly block: Block | undefined;
  /** A `{` that followed no statement: its block is kept only to skip its content. */
  readonly anonymous: boolean;
}

export interface ParseTree {
  readonly body: readonly Statement[];
}

const STRIDE = 7;
// Field offsets within a statement's seven slots; -1 is "none".
const KW = 0; // keyword token (the `{` itself for an anonymous block)
const NARGS = 1;
const OPEN_TOK = 2;
const CLOSE_TOK = 3;
const NEXT = 4; // next statement of the same body
const FIRST = 5; // first statement of its block's body
const ANON = 6;

interface Tree {
  readonly tokens: TokenStore;
  st: Int32Array;
  count: number;
}

/** A word of the token store; its Location is made only when asked for (diagnostics, pos). */
class StoredWord implements Word {
  readonly kind = 'word';
  readonly text: string;
  readonly quoted: boolean;
  readonly line: number;
  readonly #tokens: TokenStore;
  readonly #index: number;

  constructor(tokens: TokenStore, index: number, text: string) {
    this.#tokens = tokens;
    this.#index = index;
    this.text = text;
    this.quoted = tokenKind(tokens, index) === QUOTED_WORD;
    this.line = tokenLogical(tokens, index);
  }

  get at(): Location {
    return tokenAt(this.#tokens, this.#index);
  }
}

class StoredBlock implements Block {
  readonly #tree: Tree;
  readonly #index: number;

  constructor(tree: Tree, index: number) {
    this.#tree = tree;
    this.#index = index;
  }

  get open(): Location {
    return tokenAt(this.#tree.tokens, field(this.#tree, this.#index, OPEN_TOK));
  }

  get close(): Location | undefined {
    const t = field(this.#tree, this.#index, CLOSE_TOK);
    return t < 0 ? undefined : tokenAt(this.#tree.tokens, t);
  }

  get body(): readonly Statement[] {
    return bodyOf(this.#tree, field(this.#tree, this.#index, FIRST));
  }
}

const NO_WORDS: readonly Word[] = [];

class StoredStatement implements Statement {
  readonly keyword: Word;
  readonly args: readonly Word[];
  readonly block: Block | undefined;
  readonly anonymous: boolean;

  constructor(tree: Tree, index: number) {
    const tokens = tree.tokens;
    const kw = field(tree, index, KW);
    this.anonymous = field(tree, index, ANON) === 1;
    this.keyword = new StoredWord(tokens, kw, this.anonymous ? '{' : tokenText(tokens, kw));
    const n = field(tree, index, NARGS);
    if (n === 0) this.args = NO_WORDS;
    else {
      const args: Word[] = [];
      for (let i = 1; i <= n; i++)
        args.push(new StoredWord(tokens, kw + i, tokenText(tokens, kw + i)));
      this.args = args;
    }
    this.block = field(tree, index, OPEN_TOK) < 0 ? undefined : new StoredBlock(tree, index);
  }
}

function field(tree: Tree, index: number, f: number): number {
  return tree.st[index * STRIDE + f] ?? -1;
}

function bodyOf(tree: Tree, first: number): Statement[] {
  const body: Statement[] = [];
  for (let s = first; s >= 0; s = field(tree, s, NEXT)) body.push(new StoredStatement(tree, s));
  return body;
}

function newStatement(tree: Tree, kw: number, anon: boolean): number {
  const o = tree.count * STRIDE;
  tree.st = ensureInt32(tree.st, o + STRIDE);
  const st = tree.st;
  st[o + KW] = kw;
  st[o + NARGS] = 0;
  st[o + OPEN_TOK] = anon ? kw : -1;
  st[o + CLOSE_TOK] = -1;
  st[o + NEXT] = -1;
  st[o + FIRST] = -1;
  st[o + ANON] = anon ? 1 : 0;
  return tree.count++;
}

function set(tree: Tree, index: number, f: number, v: number): void {
  tree.st[index * STRIDE + f] = v;
}

interface Frame {
  /** The statement whose block this is; -1 for the top level. */
  readonly owner: number;
  first: number;
  last: number;
}

export function parseBlocks(tokens: TokenStore, sink: DiagnosticSink): ParseTree {
  const tree: Tree = { tokens, st: new Int32Array(STRIDE * 1024), count: 0 };
  const root: Frame = { owner: -1, first: -1, last: -1 };
  const stack: Frame[] = [root];
  let frame = root;
  let current = -1;
  let lastClosedTop = -1;

  const append = (s: number): void => {
    if (frame.last < 0) {
      frame.first = s;
      if (frame.owner >= 0) set(tree, frame.owner, FIRST, s);
    } else set(tree, frame.last, NEXT, s);
    frame.last = s;
  };

  for (let t = 0; t < tokens.count; t++) {
    const kind = tokenKind(tokens, t);
    if (kind <= QUOTED_WORD) {
      if (
        current >= 0 &&
        field(tree, current, OPEN_TOK) < 0 &&
        tokenLogical(tokens, field(tree, current, KW)) === tokenLogical(tokens, t)
      ) {
        set(tree, current, NARGS, field(tree, current, NARGS) + 1);
      } else {
        current = newStatement(tree, t, false);
        append(current);
      }
      continue;
    }
    if (kind === OPEN) {
      const owner = frame.last;
      if (owner >= 0 && owner === current && field(tree, owner, OPEN_TOK) < 0) {
        set(tree, owner, OPEN_TOK, t);
        frame = { owner, first: -1, last: -1 };
        stack.push(frame);
      } else {
        sink.error(
          'CFG_UNEXPECTED_OPEN_BRACE',
          tokenAt(tokens, t),
          "unexpected '{': it does not follow a keyword that opens a block; its content is ignored",
        );
        const anon = newStatement(tree, t, true);
        append(anon);
        frame = { owner: anon, first: -1, last: -1 };
        stack.push(frame);
      }
      current = -1;
      continue;
    }
    // kind === CLOSE
    current = -1;
    if (stack.length > 1) {
      stack.pop();
      set(tree, frame.owner, CLOSE_TOK, t);
      if (stack.length === 1) lastClosedTop = frame.owner;
      frame = stack[stack.length - 1] ?? root;
      continue;
    }
    const notes: Note[] = [];
    if (lastClosedTop >= 0) {
      const kw = field(tree, lastClosedTop, KW);
      const text = field(tree, lastClosedTop, ANON) === 1 ? '{' : tokenText(tokens, kw);
      notes.push({
        at: tokenAt(tokens, field(tree, lastClosedTop, CLOSE_TOK)),
        message: `the last top-level block, '${text}' opened at line ${tokenAt(tokens, kw).line}, was closed here`,
      });
    }
    sink.error(
      'CFG_EXTRA_BRACE',
      tokenAt(tokens, t),
      "extra '}': there is no open block to close",
      notes,
    );
  }

  for (let i = stack.length - 1; i > 0; i--) {
    const owner = stack[i]?.owner ?? -1;
    if (owner < 0 || field(tree, owner, ANON) === 1) continue;
    sink.error(
      'CFG_MISSING_CLOSE_BRACE',
      tokenAt(tokens, field(tree, owner, KW)),
      `the '${tokenText(tokens, field(tree, owner, KW))}' block opened here is never closed: a '}' is missing before the end of the file`,
    );
  }
  return { body: bodyOf(tree, root.first) };
}
