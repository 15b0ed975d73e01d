// SMTP_CHECK, one attempt (keepalived check_smtp.c; keepalived.conf(5) SMTP_CHECK): connect,
// read the greeting and require 220, send `HELO <helo_name>` and require 250, send `QUIT` and
// wait for any reply. Every step (the connect and each read) is bounded by connect_timeout, as
// keepalived arms each read with the connection timeout. Failure texts are keepalived's
// `SMTP_CHECK …` lines; retries and the "failed after N retries" line belong to the runner.

import { connect } from 'node:net';
import type { SmtpCheck } from '../config/model.js';
import type { Probe, ProbeFailure, ProbeResult } from './probe.js';

/** Replies longer than this are not SMTP (RFC 5321 §4.5.3.1.5 caps a reply line at 512). */
const MAX_BUFFERED = 64 * 1024;

type Stage = 'connect' | 'banner' | 'helo' | 'quit';

/**
 * One complete SMTP reply from the front of `text` (RFC 5321 §4.2: lines `NNN-…` continue,
 * `NNN …` ends it). keepalived looks only at the first line; reading the whole reply keeps a
 * multi-line 220 banner from being mistaken for the HELO answer. Code -1 when not three digits.
 */
export function takeSmtpReply(text: string): { code: number; rest: string } | undefined {
  let start = 0;
  let code = -1;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) return undefined;
    const line = text.slice(start, nl).replace(/\r$/, '');
    if (start === 0) code = /^\d{3}/.test(line) ? Number(line.slice(0, 3)) : -1;
    start = nl + 1;
    if (!/^\d{3}-/.test(line)) return { code, rest: text.slice(start) };
  }
}

export function smtpProbe(check: SmtpCheck): Probe {
  return (target, signal) =>
    new Promise<ProbeResult>((resolve) => {
      const server = target.label;
      let stage: Stage = 'connect';
      let buffered = '';
      let settled = false;
      const sock = connect({
        host: target.address,
        port: target.port,
        family: target.family === 'inet' ? 4 : 6,
        ...(target.bindto === undefined ? {} : { localAddress: target.bindto }),
        ...(target.bindPort === undefined ? {} : { localPort: target.bindPort }),
      });
      const finish = (result: ProbeResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onTimeout);
        sock.destroy();
        resolve(result);
      };
      const fail = (failure: ProbeFailure, text: string): void => {
        finish({ ok: false, failure, message: `SMTP_CHECK ${text} ${server}` });
      };
      function onTimeout(): void {
        if (stage === 'connect') fail('timeout', 'Connection timeout to server');
        else fail('timeout', 'Read timeout from server');
      }
      let timer = setTimeout(onTimeout, target.timeoutMs);
      const rearm = (): void => {
        clearTimeout(timer);
        timer = setTimeout(onTimeout, target.timeoutMs);
      };
      if (signal.aborted) {
        onTimeout();
        return;
      }
      signal.addEventListener('abort', onTimeout, { once: true });

      const send = (line: string, next: Stage): void => {
        stage = next;
        rearm();
        sock.write(`${line}\r\n`);
      };
      const onReply = (code: number): void => {
        switch (stage) {
          case 'banner':
            if (code !== 220) fail('mismatch', 'Bad greeting banner from server');
            else send(`HELO ${check.heloName}`, 'helo');
            return;
          case 'helo':
            if (code !== 250) fail('mismatch', 'Bad HELO response from server');
            else send('QUIT', 'quit');
            return;
          case 'quit':
            // keepalived accepts any answer to QUIT: the server has shown it speaks SMTP.
            finish({ ok: true, message: `Remote SMTP server ${server} succeed on service.` });
            return;
          case 'connect':
            return;
        }
      };

      sock.setNoDelay(true);
      sock.on('connect', () => {
        stage = 'banner';
        rearm();
      });
      sock.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('latin1');
        if (buffered.length > MAX_BUFFERED) {
          fail('mismatch', 'Buffer overflow reading from server');
          return;
        }
        for (let reply = takeSmtpReply(buffered); reply !== undefined && !settled;) {
          buffered = reply.rest;
          onReply(reply.code);
          reply = takeSmtpReply(buffered);
        }
      });
      sock.on('error', () => {
        if (stage === 'connect') fail('refused', 'Error connecting to server');
        else fail('refused', 'Read failure from server');
      });
      sock.on('close', () => {
        fail(
          'refused',
          stage === 'connect' ? 'Error connecting to server' : 'Read failure from server',
        );
      });
    });
}
