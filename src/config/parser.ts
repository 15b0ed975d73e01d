// Builds the block tree from tokens, without knowing any keyword: a statement is the words of
// one logical line up to a brace; a `{` opens the block of the statement just before it (on
// the same line or a later one, as keepalived allows); `}` closes the innermost block.
// Brace problems are reported here and recovered from so that one run reports everything:
// a stray `{` opens an anonymous block (ignored), an extra `}` is dropped, blocks still open at
// the end of input are closed there.

import type { DiagnosticSink, Location } from './diagnostics.js';
import type { Token, Word } from './lexer.js';

export interface Block {
  readonly open: Location;
  close?: Location;
  readonly body: Statement[];
}

export interface Statement {
  readonly keyword: Word;
  readonly args: Word[];
  block?: Block;
  /** A `{` that followed no statement: its block is kept only to skip its content. */
  readonly anonymous?: true;
}

export interface ParseTree {
  readonly body: readonly Statement[];
}

export function parseBlocks(tokens: readonly Token[], sink: DiagnosticSink): ParseTree {
  const root: Statement[] = [];
  const stack: { body: Statement[]; owner?: Statement }[] = [{ body: root }];
  let current: Statement | undefined;
  let lastClosedTop: Statement | undefined;

  for (const tok of tokens) {
    const frame = stack[stack.length - 1] ?? { body: root };
    if (tok.kind === 'word') {
      if (
        current !== undefined &&
        current.block === undefined &&
        current.keyword.line === tok.line
      ) {
        current.args.push(tok);
      } else {
        current = { keyword: tok, args: [] };
        frame.body.push(current);
      }
      continue;
    }
    if (tok.kind === 'open') {
      const owner = frame.body[frame.body.length - 1];
      const block: Block = { open: tok.at, body: [] };
      if (owner !== undefined && owner === current && owner.block === undefined) {
        owner.block = block;
        stack.push({ body: block.body, owner });
      } else {
        sink.error(
          'CFG_UNEXPECTED_OPEN_BRACE',
          tok.at,
          "unexpected '{': it does not follow a keyword that opens a block; its content is ignored",
        );
        const anon: Statement = {
          keyword: { kind: 'word', text: '{', quoted: false, at: tok.at, line: tok.line },
          args: [],
          block,
          anonymous: true,
        };
        frame.body.push(anon);
        stack.push({ body: block.body, owner: anon });
      }
      current = undefined;
      continue;
    }
    // tok.kind === 'close'
    current = undefined;
    if (stack.length > 1) {
      stack.pop();
      if (frame.owner?.block !== undefined) frame.owner.block.close = tok.at;
      if (stack.length === 1 && frame.owner !== undefined) lastClosedTop = frame.owner;
      continue;
    }
    const notes =
      lastClosedTop?.block?.close === undefined
        ? []
        : [
            {
              at: lastClosedTop.block.close,
              message: `the last top-level block, '${lastClosedTop.keyword.text}' opened at line ${lastClosedTop.keyword.at.line}, was closed here`,
            },
          ];
    sink.error('CFG_EXTRA_BRACE', tok.at, "extra '}': there is no open block to close", notes);
  }

  for (let i = stack.length - 1; i > 0; i--) {
    const owner = stack[i]?.owner;
    if (owner === undefined || owner.anonymous) continue;
    sink.error(
      'CFG_MISSING_CLOSE_BRACE',
      owner.keyword.at,
      `the '${owner.keyword.text}' block opened here is never closed: a '}' is missing before the end of the file`,
    );
  }
  return { body: root };
}
