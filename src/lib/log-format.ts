// How a log record becomes text, shared by the main thread and the VRRP engine's thread (which
// writes its own lines): NDJSON for journald and log shippers, or keepalived's console line
// (`Fri Nov 27 09:18:59 2026: (VI_1) Entering MASTER STATE`, ctime(3) stamp as keepalived's -l
// prints) for operators and scripts that grep keepalived's wording (keepalived.md §2.10, §3.4).
// A LogOutput is plain data so it can cross into a worker's init; logSink composes it with the
// thread's own writers.

import type { LogRecord } from './log.js';

export const LOG_FORMATS = ['json', 'keepalived'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Where records go: stdout (in `format`) and/or syslog with a facility code. */
export interface LogOutput {
  readonly format: LogFormat;
  readonly console: boolean;
  /** A facility code as syslog(3) takes it (LOG_DAEMON = 3 << 3); absent: no syslog. */
  readonly syslogFacility?: number;
}

// syslog.h facility codes, already shifted.
const LOG_USER = 1 << 3;
const LOG_DAEMON = 3 << 3;
const LOG_LOCAL0 = 16 << 3;

/** keepalived's -S values: 0-7 (LOG_LOCAL0-7), local0-7, user, daemon; undefined otherwise. */
export function parseFacility(text: string): number | undefined {
  const m = /^(?:local)?([0-7])$/.exec(text);
  if (m !== null) return LOG_LOCAL0 + (Number(m[1]) << 3);
  if (text === 'user') return LOG_USER;
  if (text === 'daemon') return LOG_DAEMON;
  return undefined;
}

// syslog.h priorities.
export const SYSLOG_PRIORITY = {
  crit: 2,
  err: 3,
  warning: 4,
  info: 6,
  debug: 7,
} as const;

/** Our numeric level → a syslog priority (fatal is LOG_CRIT: the daemon is going down). */
export function syslogPriority(level: number): number {
  if (level >= 60) return SYSLOG_PRIORITY.crit;
  if (level >= 50) return SYSLOG_PRIORITY.err;
  if (level >= 40) return SYSLOG_PRIORITY.warning;
  if (level >= 30) return SYSLOG_PRIORITY.info;
  return SYSLOG_PRIORITY.debug;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** ctime(3) without the newline, local time: `Fri Nov  7 09:18:59 2026` (day space-padded). */
export function ctimeText(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getDay()] ?? ''} ${MONTHS[d.getMonth()] ?? ''} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`;
}

/** The message as keepalived words it; an error carried in `err` is appended after a colon. */
export function messageText(record: LogRecord): string {
  const err = record.err;
  const detail =
    err instanceof Error
      ? err.message
      : typeof err === 'object' &&
          err !== null &&
          typeof (err as { message?: unknown }).message === 'string'
        ? (err as { message: string }).message
        : undefined;
  return detail === undefined || record.msg.includes(detail)
    ? record.msg
    : `${record.msg}: ${detail}`;
}

/** One line of stdout, newline included. */
export function formatRecord(record: LogRecord, format: LogFormat): string {
  if (format === 'keepalived') return `${ctimeText(record.time)}: ${messageText(record)}\n`;
  return `${JSON.stringify(record, errorReplacer)}\n`;
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return code === undefined ? { message: value.message } : { message: value.message, code };
  }
  return value;
}

/** The thread's own writers: stdout lines, and syslog(3) when the output asks for it. */
export interface LogWriters {
  readonly console: (line: string) => void;
  readonly syslog?: (priority: number, message: string) => void;
}

/** A createLogger `write` sink for an output. */
export function logSink(output: LogOutput, io: LogWriters): (record: LogRecord) => void {
  const toSyslog = output.syslogFacility === undefined ? undefined : io.syslog;
  const toConsole = output.console;
  return (record) => {
    if (toConsole) io.console(formatRecord(record, output.format));
    toSyslog?.(syslogPriority(record.level), messageText(record));
  };
}
