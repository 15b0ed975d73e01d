// A small parser for the Prometheus text exposition format 0.0.4 (prometheus.io "Exposition
// formats"): `# HELP` and `# TYPE` lines, samples with optional labels and timestamp, the
// escapes of HELP text (\\ and \n) and label values (\\, \" and \n), and NaN/±Inf values. It
// throws on anything malformed, naming the line, so a test failure points at the bad output.

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  help?: string;
  type?: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped' | undefined;
  readonly samples: Sample[];
}

const METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
/** Histogram and summary samples belong to the family without these suffixes. */
const SUFFIXES = ['_bucket', '_sum', '_count'];

export function parseProm(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string): Family => {
    let f = families.get(name);
    if (f === undefined) {
      f = { name, samples: [] };
      families.set(name, f);
    }
    return f;
  };
  const seen = new Set<string>();
  text.split('\n').forEach((line, i) => {
    const where = `line ${i + 1}: ${line}`;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (m === null) return; // an ordinary comment
      const [, kind, name, rest = ''] = m;
      if (!METRIC.test(name!)) throw new Error(`bad metric name, ${where}`);
      const f = family(name!);
      if (kind === 'HELP') {
        if (f.help !== undefined) throw new Error(`second HELP, ${where}`);
        f.help = unescape(rest, false, where);
      } else {
        if (f.type !== undefined) throw new Error(`second TYPE, ${where}`);
        if (f.samples.length > 0) throw new Error(`TYPE after samples, ${where}`);
        if (!TYPES.has(rest)) throw new Error(`bad type, ${where}`);
        f.type = rest as Family['type'];
      }
      return;
    }
    const s = parseSample(line, where);
    const key = `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`;
    if (seen.has(key)) throw new Error(`duplicate series, ${where}`);
    seen.add(key);
    family(owner(s.name, families)).samples.push(s);
  });
  return families;
}

function owner(name: string, families: Map<string, Family>): string {
  for (const suffix of SUFFIXES) {
    if (!name.endsWith(suffix)) continue;
    const base = families.get(name.slice(0, -suffix.length));
    if (base?.type === 'histogram' || base?.type === 'summary') return base.name;
  }
  return name;
}

function parseSample(line: string, where: string): Sample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (m === null) throw new Error(`bad sample name, ${where}`);
  const name = m[1]!;
  let pos = name.length;
  const labels: Record<string, string> = {};
  if (line[pos] === '{') {
    pos++;
    while (line[pos] !== '}') {
      const lm = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"/.exec(line.slice(pos));
      if (lm === null || !LABEL.test(lm[1]!)) throw new Error(`bad label, ${where}`);
      pos += lm[0].length;
      let raw = '';
      while (pos < line.length && line[pos] !== '"') {
        if (line[pos] === '\\') raw += line.charAt(pos++);
        raw += line.charAt(pos++);
      }
      if (line[pos] !== '"') throw new Error(`unterminated label value, ${where}`);
      pos++;
      if (Object.hasOwn(labels, lm[1]!)) throw new Error(`duplicate label, ${where}`);
      labels[lm[1]!] = unescape(raw, true, where);
      if (line[pos] === ',') pos++;
      else if (line[pos] !== '}') throw new Error(`expected , or }, ${where}`);
    }
    pos++;
  }
  const rest = line.slice(pos).trim().split(/\s+/);
  if (rest.length < 1 || rest.length > 2 || rest[0] === '') throw new Error(`bad value, ${where}`);
  return { name, labels, value: parseValue(rest[0]!, where) };
}

function parseValue(text: string, where: string): number {
  // Prometheus reads values with Go's strconv.ParseFloat: NaN and Inf in any letter case (prom-client
  // writes `Nan`), an optional sign, decimal or exponent notation.
  if (/^nan$/i.test(text)) return NaN;
  const inf = /^([+-]?)inf(inity)?$/i.exec(text);
  if (inf !== null) return inf[1] === '-' ? -Infinity : Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
    throw new Error(`bad value, ${where}`);
  }
  return Number(text);
}

function unescape(text: string, quotes: boolean, where: string): string {
  return text.replace(/\\(.?)/g, (_, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    if (c === '"' && quotes) return '"';
    throw new Error(`bad escape \\${c}, ${where}`);
  });
}

/** The value of the one sample of `name` whose labels include `labels`. */
export function sampleValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const all = [...families.values()].flatMap((f) => f.samples);
  const hits = all.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (hits.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${hits.length}`);
  return hits[0]?.value;
}
