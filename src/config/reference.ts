// The configuration reference (docs/config-reference.md), rendered from the keyword tables that
// the compiler itself applies, so the documentation cannot drift from what tandem accepts: every
// block reachable from the top level, each keyword with its arguments, range, default, status
// (supported, tandem extension, accepted-and-ignored, known-but-unsupported), aliases and
// deprecations. A test compares the committed file with this output.

import { topLevel } from './keywords/top.js';
import type { BlockSpec, Keyword, KeywordStatus } from './schema.js';

const STATUS_TEXT: Readonly<Record<KeywordStatus, string>> = {
  supported: 'supported',
  extension: '**extension**',
  ignored: 'ignored',
  unsupported: '*unsupported*',
};

interface Section {
  readonly spec: BlockSpec<unknown>;
  readonly title: string;
  readonly parents: string[];
}

/** Every block reachable from the top level, once each, in reading order (depth first). */
function sections(): Section[] {
  const out: Section[] = [];
  const bySpec = new Map<BlockSpec<unknown>, Section>();
  const titles = new Set<string>();
  const visit = (spec: BlockSpec<unknown>, parent: string | undefined): void => {
    const known = bySpec.get(spec);
    if (known !== undefined) {
      if (parent !== undefined && !known.parents.includes(parent)) known.parents.push(parent);
      return;
    }
    // Two different blocks may share a name (a `url` here, a `url` there): say where.
    const title =
      titles.has(spec.name) && parent !== undefined ? `${spec.name} (in ${parent})` : spec.name;
    titles.add(spec.name);
    const s: Section = { spec, title, parents: parent === undefined ? [] : [parent] };
    bySpec.set(spec, s);
    out.push(s);
    for (const k of spec.keywords) if (k.child !== undefined) visit(k.child, title);
  };
  visit(topLevel as BlockSpec<unknown>, undefined);
  return out;
}

function anchor(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/**
 * The default a description states, by the tables' conventions: "(default 30)", "(default: host
 * name)", "(port 25 by default)", or a closing parenthesis that starts with one value ("Seconds
 * between checks (60).", "(100; 255 = address owner)", "(wlc, as ipvsadm)"). `required` marks a
 * keyword its block cannot do without; a flag that says "(default)" is on by default.
 */
export function statedDefault(k: Pick<Keyword<unknown>, 'doc' | 'syntax'>): string | undefined {
  const doc = k.doc.trim();
  const explicit = /\(default:? ([^();]+?)\)/.exec(doc) ?? /\(([^();]+?) by default\)/.exec(doc);
  if (explicit?.[1] !== undefined) return explicit[1].trim();
  const m = /\(([^()]*)\)\.?$/.exec(doc);
  const first = m?.[1]?.split(/[;,]/)[0]?.trim();
  if (first === undefined || !/^[-\w.:/@]+$/.test(first)) return undefined;
  if (first === 'default') return k.syntax === '[on|off]' ? 'on' : undefined;
  return first;
}

function argumentsOf(k: Keyword<unknown>): string {
  const syntax = k.syntax === '' ? '' : `\`${k.syntax}\``;
  if (k.range === undefined || k.syntax.includes('..')) return syntax;
  return `${syntax} (${k.range.min}..${k.range.max})`;
}

function notesOf(k: Keyword<unknown>): string[] {
  const notes: string[] = [];
  for (const a of k.aliases) {
    notes.push(
      a.message === undefined ? `Also \`${a.name}\`.` : `Also \`${a.name}\` (${a.message}).`,
    );
  }
  if (k.deprecated !== undefined && k.status !== 'unsupported') {
    const word = k.status === 'ignored' ? 'Ignored' : 'Deprecated';
    notes.push(`${word}: ${k.deprecated.message}.`.replace(/\.\.$/, '.'));
  }
  return notes;
}

function row(k: Keyword<unknown>, childTitle: string | undefined): string {
  const name =
    childTitle === undefined ? `\`${k.name}\`` : `[\`${k.name}\`](#${anchor(childTitle)})`;
  const def = statedDefault(k) ?? '';
  const description = [k.doc, ...notesOf(k)].join(' ');
  return `| ${name} | ${cell(argumentsOf(k))} | ${STATUS_TEXT[k.status]} | ${cell(def === '' ? '' : `\`${def}\``)} | ${cell(description)} |`;
}

function counts(all: readonly Section[]): string {
  const n: Record<KeywordStatus, number> = {
    supported: 0,
    extension: 0,
    ignored: 0,
    unsupported: 0,
  };
  let total = 0;
  for (const s of all) {
    for (const k of s.spec.keywords) {
      n[k.status]++;
      total++;
    }
  }
  return `${total} keywords in ${all.length} blocks: ${n.supported} supported, ${n.extension} tandem extensions, ${n.ignored} accepted and ignored, ${n.unsupported} known but unsupported.`;
}

export function renderConfigReference(): string {
  const all = sections();
  const titleOf = new Map(all.map((s) => [s.spec, s.title]));
  const out: string[] = [
    '# Configuration reference',
    '',
    'Generated from the keyword tables in `src/config/keywords/` by `npm run docs:gen`; do not edit by hand (`test/unit/docs/catalogues.test.ts` fails when this file is out of date).',
    '',
    'tandem reads keepalived.conf as keepalived 2.2.7 does. Every keyword keepalived knows has one of these statuses:',
    '',
    '| status | meaning |',
    '|---|---|',
    "| supported | does what keepalived does (see the description for tandem's limits) |",
    '| **extension** | tandem only; keepalived would reject the line |',
    '| ignored | accepted with a note and has no effect (keepalived no-ops, deprecated knobs, or things tandem does differently) |',
    '| *unsupported* | a keepalived feature tandem does not implement: a warning, and the rest of the file still works |',
    '',
    `${counts(all)} Arguments in \`[ ]\` are optional; \`on|off\` flags mean on when given alone. Ranges are inclusive; SECONDS accept fractions (\`0.1\`). Defaults are those the descriptions state; keywords without one are unset (off) unless they are given.`,
    '',
    '## Blocks',
    '',
    ...all.map((s) => `- [${s.title}](#${anchor(s.title)})`),
  ];
  for (const s of all) {
    out.push('', `## ${s.title}`, '', s.spec.doc);
    if (s.parents.length > 0) {
      out.push('', `In: ${s.parents.map((p) => `[${p}](#${anchor(p)})`).join(', ')}.`);
    }
    if (s.spec.item !== undefined) {
      out.push('', `Each line that is not a keyword is an item: \`${s.spec.item.syntax}\`.`);
    }
    if (s.spec.keywords.length === 0) continue;
    out.push(
      '',
      '| keyword | arguments | status | default | description |',
      '|---|---|---|---|---|',
    );
    for (const k of s.spec.keywords) {
      out.push(row(k, k.child === undefined ? undefined : titleOf.get(k.child)));
    }
  }
  return `${out.join('\n')}\n`;
}
