// E-mail delivery (issue 8; keepalived.md §3.5): a bounded queue in front of one SMTP delivery at a
// time, so a slow or dead mail server never delays VRRP or the checkers — enqueue() only appends.
// keepalived's SMTP client gives up after one failed attempt; tandem retries a bounded number of
// times with exponential backoff (1 s, 2 s, 4 s) and then drops the mail with a log line. Every
// failed attempt logs keepalived's own line, `SMTP connection ERROR to [192.168.138.10]:25.`,
// which operators already grep for.
//
// Plain SMTP as keepalived speaks it: no STARTTLS (`ignoreTLS`), so a relay that offers TLS with
// a self-signed certificate still gets the alert.

import { createTransport } from 'nodemailer';
import type { GlobalDefs } from '../config/model.js';
import { systemClock, type Clock } from '../lib/clock.js';
import type { Logger } from '../lib/log.js';
import type { MailText } from './mail-message.js';

export interface MailerSettings {
  readonly host: string;
  readonly port: number;
  /** EHLO/HELO name (`smtp_helo_name`). */
  readonly heloName: string;
  readonly from: string;
  readonly to: readonly string[];
  /** `smtp_connect_timeout`, seconds. */
  readonly connectTimeout: number;
}

/** The delivery settings from global_defs, or undefined when mail is off (no server or no To). */
export function mailerSettings(g: GlobalDefs): MailerSettings | undefined {
  if (g.smtpServer === undefined || g.notificationEmail.length === 0) return undefined;
  return {
    host: g.smtpServer.host,
    port: g.smtpServer.port,
    heloName: g.smtpHeloName,
    from: g.notificationEmailFrom,
    to: g.notificationEmail,
    connectTimeout: g.smtpConnectTimeout,
  };
}

/** One message as handed to the transport (nodemailer's sendMail options, the part we use). */
export interface OutgoingMail {
  readonly from: string;
  readonly to: string[];
  readonly subject: string;
  readonly text: string;
  readonly date: Date;
  readonly headers: Readonly<Record<string, string>>;
}

export interface MailTransport {
  sendMail(mail: OutgoingMail): Promise<unknown>;
  close(): void;
}

export interface MailerOptions {
  readonly settings: MailerSettings;
  readonly log: Logger;
  readonly clock?: Clock;
  /** Mails waiting beyond the one in flight; default 256. */
  readonly queueLimit?: number;
  /** Retries after the first failed attempt; default 3. */
  readonly retries?: number;
  /** First backoff, doubled per retry; default 1000 ms. */
  readonly backoffMs?: number;
  /** Wait for the 220 greeting; default the connect timeout, at most 30 s. */
  readonly greetingTimeoutMs?: number;
  /** Idle socket during the dialogue; default the connect timeout, at most 60 s. */
  readonly socketTimeoutMs?: number;
  /** Tests: a transport instead of nodemailer's SMTP one. */
  readonly transport?: MailTransport;
}

export interface MailerCounters {
  /** Mails accepted into the queue. */
  readonly queued: number;
  readonly sent: number;
  /** Mails given up after the last retry. */
  readonly failed: number;
  /** Mails refused because the queue was full. */
  readonly dropped: number;
  /** Attempts after a failure. */
  readonly retries: number;
}

export class Mailer {
  readonly #o: MailerOptions;
  readonly #clock: Clock;
  readonly #limit: number;
  readonly #transport: MailTransport;
  readonly #queue: MailText[] = [];
  #busy = false;
  #closed = false;
  #cancelRetry: (() => void) | undefined;
  #burst = 0;
  #idle: (() => void)[] = [];
  #c = { queued: 0, sent: 0, failed: 0, dropped: 0, retries: 0 };

  constructor(options: MailerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#limit = options.queueLimit ?? 256;
    const s = options.settings;
    const connectMs = s.connectTimeout * 1000;
    this.#transport =
      options.transport ??
      createTransport({
        host: s.host,
        port: s.port,
        secure: false,
        ignoreTLS: true,
        name: s.heloName,
        connectionTimeout: connectMs,
        greetingTimeout: options.greetingTimeoutMs ?? Math.min(connectMs, 30_000),
        socketTimeout: options.socketTimeoutMs ?? Math.min(connectMs, 60_000),
        dnsTimeout: connectMs,
      });
  }

  get counters(): MailerCounters {
    return { ...this.#c };
  }

  /** Mails waiting (not counting the one in flight). */
  get pending(): number {
    return this.#queue.length;
  }

  /** Queue a mail; never waits. False when closed or the queue is full (counted as dropped). */
  enqueue(mail: MailText): boolean {
    if (this.#closed) return false;
    if (this.#queue.length >= this.#limit) {
      this.#c.dropped++;
      // One line per burst, not per mail: a flapping pool must not flood the log too.
      if (this.#burst++ === 0)
        this.#o.log.warn({ limit: this.#limit }, 'mail queue full, dropping alerts');
      return false;
    }
    if (this.#burst > 0) {
      this.#o.log.warn({ dropped: this.#burst }, `mail queue: ${this.#burst} alerts dropped`);
      this.#burst = 0;
    }
    this.#queue.push(mail);
    this.#c.queued++;
    if (!this.#busy) this.#next();
    return true;
  }

  /** Resolves when nothing is queued or in flight (tests, orderly shutdown). */
  idle(): Promise<void> {
    if (this.#closed || (!this.#busy && this.#queue.length === 0)) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Stops delivery: queued mails are discarded, a pending retry is cancelled. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.length = 0;
    this.#cancelRetry?.();
    this.#transport.close();
    this.#settle();
  }

  #next(): void {
    const mail = this.#queue.shift();
    if (mail === undefined || this.#closed) {
      this.#busy = false;
      this.#settle();
      return;
    }
    this.#busy = true;
    this.#attempt(mail, 0);
  }

  #attempt(mail: MailText, retry: number): void {
    const s = this.#o.settings;
    this.#transport
      .sendMail({
        from: s.from,
        to: [...s.to],
        subject: mail.subject,
        text: mail.body,
        date: new Date(mail.at),
        headers: { 'X-Mailer': 'tandem' },
      })
      .then(
        () => {
          if (this.#closed) return;
          this.#c.sent++;
          this.#o.log.info({ subject: mail.subject }, 'SMTP alert successfully sent.');
          this.#next();
        },
        (err: unknown) => {
          if (this.#closed) return;
          this.#failed(mail, retry, err);
        },
      );
  }

  #failed(mail: MailText, retry: number, err: unknown): void {
    const s = this.#o.settings;
    const reason = err instanceof Error ? err.message : String(err);
    this.#o.log.error({ reason, retry }, `SMTP connection ERROR to ${endpoint(s.host, s.port)}.`);
    // A 5xx reply is the server refusing this mail (RFC 5321 §4.2.1); asking again will not help.
    const code = (err as { responseCode?: unknown } | null)?.responseCode;
    const permanent = typeof code === 'number' && code >= 500;
    const retries = this.#o.retries ?? 3;
    if (permanent || retry >= retries) {
      this.#c.failed++;
      this.#o.log.error(
        { subject: mail.subject, attempts: retry + 1 },
        'SMTP alert not sent, giving up',
      );
      this.#next();
      return;
    }
    this.#c.retries++;
    const delay = (this.#o.backoffMs ?? 1000) * 2 ** retry;
    this.#cancelRetry = this.#clock.setTimer(delay, () => {
      this.#cancelRetry = undefined;
      this.#attempt(mail, retry + 1);
    });
  }

  #settle(): void {
    if (this.#busy && !this.#closed) return;
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}

/** keepalived's `[host]:port`, brackets for every address (IPv6 included). */
export function endpoint(host: string, port: number): string {
  return `[${host}]:${port}`;
}
