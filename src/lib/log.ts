// Logging shaped like pino (house style §25): one NDJSON record per line, object first and
// message second, numeric levels (10 trace … 60 fatal), child loggers that add fixed fields per
// subsystem (`{ subsys: 'proxy', vs: 'tcp:10.0.0.1:80' }`). The sink is injected so tests read
// records, not text, and per-event warnings can be rate-limited where they are raised.

export const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
export type LevelName = keyof typeof LEVELS;

export type LogFields = Readonly<Record<string, unknown>>;
export type LogRecord = LogFields & {
  readonly level: number;
  readonly time: number;
  readonly msg: string;
};

export interface Logger {
  readonly level: number;
  trace(fields: LogFields, msg: string): void;
  debug(fields: LogFields, msg: string): void;
  info(fields: LogFields, msg: string): void;
  warn(fields: LogFields, msg: string): void;
  error(fields: LogFields, msg: string): void;
  fatal(fields: LogFields, msg: string): void;
  child(bindings: LogFields): Logger;
}

export interface LoggerOptions {
  readonly level?: LevelName;
  readonly write: (record: LogRecord) => void;
  readonly now?: () => number;
}

export function createLogger(options: LoggerOptions, bindings: LogFields = {}): Logger {
  const min = LEVELS[options.level ?? 'info'];
  const now = options.now ?? Date.now;
  const at =
    (level: number) =>
    (fields: LogFields, msg: string): void => {
      if (level < min) return;
      options.write({ level, time: now(), ...bindings, ...fields, msg });
    };
  return {
    level: min,
    trace: at(LEVELS.trace),
    debug: at(LEVELS.debug),
    info: at(LEVELS.info),
    warn: at(LEVELS.warn),
    error: at(LEVELS.error),
    fatal: at(LEVELS.fatal),
    child: (more) => createLogger(options, { ...bindings, ...more }),
  };
}

/** NDJSON to a stream (stdout for `-l`); errors become `{ message, code }`. */
export function streamSink(stream: { write(s: string): unknown }): (r: LogRecord) => void {
  return (r) => stream.write(`${JSON.stringify(r, errorReplacer)}\n`);
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return code === undefined ? { message: value.message } : { message: value.message, code };
  }
  return value;
}

/** Records kept in memory, for tests. */
export function memorySink(): { records: LogRecord[]; write: (r: LogRecord) => void } {
  const records: LogRecord[] = [];
  return { records, write: (r) => records.push(r) };
}

/** A logger that drops everything. */
export const silentLogger: Logger = createLogger({ level: 'fatal', write: () => undefined });
