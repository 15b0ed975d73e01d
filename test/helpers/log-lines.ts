// Log lines of a child process, timestamped on arrival, that tests wait on: the shared part of
// the keepalived and tandem runners in a LAN host (keepalived.ts, tandem-node.ts). tandem's
// NDJSON records are kept as their `msg`, so the same keepalived-wording regexes match both.

import type { Child } from './processes.js';

export interface LogLine {
  /** Date.now() when the line arrived. */
  readonly t: number;
  readonly text: string;
  /** The parsed record, for NDJSON output. */
  readonly record?: Record<string, unknown>;
}

export class LogLines {
  readonly who: string;
  readonly lines: LogLine[] = [];
  readonly #child: Child;
  readonly #waiters = new Set<() => void>();

  constructor(who: string, child: Child, ndjson: boolean) {
    this.who = who;
    this.#child = child;
    let partial = '';
    const onData = (chunk: Buffer): void => {
      const t = Date.now();
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const raw of parts) this.lines.push(ndjson ? parse(t, raw) : { t, text: raw });
      for (const w of [...this.#waiters]) w();
    };
    child.proc.stdout?.on('data', onData);
    child.proc.stderr?.on('data', onData);
    void child.exited.then(() => {
      for (const w of [...this.#waiters]) w();
    });
  }

  /** Index of the next log line, to wait only for lines after some action. */
  mark(): number {
    return this.lines.length;
  }

  /** The first line from index `from` on matching re; rejects after timeoutMs or on exit. */
  async waitFor(re: RegExp, timeoutMs: number, from = 0): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.slice(from).find((l) => re.test(l.text));
      if (hit !== undefined) return hit;
      const left = deadline - Date.now();
      if (left <= 0 || this.#child.hasExited()) {
        const why = this.#child.hasExited() ? 'the process exited' : `${timeoutMs} ms passed`;
        throw new Error(`${this.who}: no log line ${re} (${why}):\n${this.text()}`);
      }
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.#waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#waiters.add(wake);
      });
    }
  }

  text(): string {
    return this.lines.map((l) => l.text).join('\n');
  }
}

function parse(t: number, raw: string): LogLine {
  try {
    const record = JSON.parse(raw) as Record<string, unknown>;
    return { t, text: typeof record.msg === 'string' ? record.msg : raw, record };
  } catch {
    return { t, text: raw };
  }
}
