// syslog(3) through koffi, for keepalived's -S/--log-facility: openlog once with ident 'tandem'
// and LOG_PID (as keepalived's Keepalived_vrrp[PID] lines), then syslog(priority, "%s", msg), so
// a '%' in a message is never read as a format. glibc keeps the ident pointer rather than a copy,
// so the ident lives in memory allocated here for the life of the process. Loaded lazily, like
// libc.ts; unavailable → null, and the caller reports it.

import { createRequire } from 'node:module';

/** The three calls, injectable so tests see what would be sent without a syslog daemon. */
export interface SyslogBinding {
  openlog: (ident: string, option: number, facility: number) => void;
  syslog: (priority: number, message: string) => void;
  closelog: () => void;
}

// syslog.h option bits.
export const LOG_PID = 0x01;
export const LOG_NDELAY = 0x08;

interface KoffiSyslog {
  load: (name: string) => { func: (sig: string) => (...args: unknown[]) => unknown };
  alloc: (type: string, n: number) => unknown;
  view: (p: unknown, n: number) => ArrayBuffer;
}

let binding: SyslogBinding | null | undefined;
/** Kept referenced: glibc's openlog holds on to this pointer. */
let identBlock: unknown;

export function loadSyslog(): SyslogBinding | null {
  if (binding !== undefined) return binding;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as KoffiSyslog;
    const lib = koffi.load('libc.so.6');
    const openlog = lib.func('void openlog(const void *ident, int option, int facility)');
    const syslog = lib.func('void syslog(int priority, const char *format, ...)');
    const closelog = lib.func('void closelog()');
    binding = {
      openlog: (ident, option, facility) => {
        const bytes = new TextEncoder().encode(`${ident}\0`);
        identBlock = koffi.alloc('uint8_t', bytes.length);
        new Uint8Array(koffi.view(identBlock, bytes.length)).set(bytes);
        openlog(identBlock, option, facility);
      },
      syslog: (priority, message) => {
        syslog(priority, '%s', 'const char *', message);
      },
      closelog: () => {
        closelog();
      },
    };
  } catch {
    binding = null;
  }
  return binding;
}

/**
 * openlog(ident, LOG_PID | LOG_NDELAY, facility) and a writer for logSink; null when libc cannot
 * be bound. NDELAY connects to /dev/log now, before any sandboxing could hide it.
 */
export function openSyslog(
  facility: number,
  lib: SyslogBinding | null = loadSyslog(),
  ident = 'tandem',
): ((priority: number, message: string) => void) | null {
  if (lib === null) return null;
  lib.openlog(ident, LOG_PID | LOG_NDELAY, facility);
  return (priority, message) => lib.syslog(priority, message);
}
