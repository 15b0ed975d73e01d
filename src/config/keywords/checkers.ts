// Health checkers inside real_server (keepalived.conf(5) TCP_CHECK … BFD_CHECK; reference §1.9).
// The checker drafts keep only what the block says; finish-checker.ts fills inherited values
// and the per-type defaults.

import type { CheckerCommon, CheckerType, HttpUrl } from '../model.js';
import type { Statement } from '../parser.js';
import {
  blockKeyword,
  ignored,
  keyword,
  registerBlock,
  unsupported,
  type BlockSpec,
  type Cx,
  type Keyword,
} from '../schema.js';
import { arity, integer, pos } from '../values.js';
import { builders, compact, timingKeywords, type Draft } from './common.js';

/** Everything any checker may set; the type decides which keywords exist. */
export interface CheckerDraft extends Draft<CheckerCommon> {
  type: CheckerType;
  fields: Record<string, unknown>;
  url: HttpUrl[];
}

const b = builders<CheckerDraft>();
const set =
  (field: string) =>
  (d: CheckerDraft, v: unknown): void => {
    d.fields[field] = v;
  };

function timing(): Keyword<CheckerDraft>[] {
  return [
    ...timingKeywords<CheckerDraft>(),
    b.flag('log_all_failures', 'Log every failed attempt.', (d, v) => (d.logAllFailures = v)),
  ];
}

function connection(): Keyword<CheckerDraft>[] {
  return [
    b.address(
      'connect_ip',
      'Address to check (the real server).',
      (d, v) => (d.connectIp = v.text),
    ),
    b.int(
      'connect_port',
      0,
      65535,
      'Port to check (the real server port).',
      (d, v) => (d.connectPort = v),
    ),
    b.address('bindto', 'Source address of checks.', (d, v) => (d.bindto = v.text)),
    b.int('bind_port', 0, 65535, 'Source port of checks.', (d, v) => (d.bindPort = v)),
    b.text(
      'bind_if',
      'INTERFACE',
      'Interface of checks (link-local targets).',
      (d, v) => (d.bindIf = v),
    ),
    b.int(
      'fwmark',
      0,
      0xffffffff,
      'Firewall mark (SO_MARK) of check packets.',
      (d, v) => (d.fwmark = v),
    ),
    ...timing(),
  ];
}

function statusCodes(st: Statement, cx: Cx): (readonly [number, number])[] | undefined {
  if (!arity(st, cx, 1, 100, 'CODE|FROM-TO ...')) return undefined;
  const out: (readonly [number, number])[] = [];
  for (const w of st.args) {
    const m = /^(\d{3})(?:-(\d{3}))?$/.exec(w.text);
    const from = m === null ? NaN : Number(m[1]);
    const to = m?.[2] === undefined ? from : Number(m[2]);
    if (!(from >= 100 && to <= 599 && from <= to)) {
      cx.sink.error(
        'CFG_INVALID_VALUE',
        w.at,
        `invalid status_code '${w.text}': expected a code 100-599 or a range such as 200-299`,
      );
      return undefined;
    }
    out.push([from, to]);
  }
  return out;
}

/** UDP_CHECK hex strings: words joined; with wildcards, `x` matches any nibble. */
function hexWords(st: Statement, cx: Cx, wildcards: boolean): string | undefined {
  const hex = st.args.map((w) => w.text).join('');
  const ok = wildcards ? /^[0-9a-fA-Fx]*$/ : /^[0-9a-fA-F]*$/;
  if (hex === '' || !ok.test(hex) || hex.length % 2 !== 0) {
    cx.sink.error(
      'CFG_INVALID_VALUE',
      st.args[0]?.at ?? st.keyword.at,
      `invalid ${st.keyword.text} '${st.args.map((w) => w.text).join(' ')}': expected an even number of hexadecimal digits${wildcards ? ' (x matches any digit)' : ''}`,
    );
    return undefined;
  }
  return hex.toLowerCase();
}

type UrlDraft = Draft<HttpUrl> & { regexOptions: string[] };
const u = builders<UrlDraft>();

const urlBlock: BlockSpec<UrlDraft> = registerBlock<UrlDraft>({
  name: 'url',
  doc: 'One URL an HTTP_GET / SSL_GET checker fetches, and what the answer must be.',
  newDraft: () => ({ regexOptions: [] }),
  keywords: [
    u.text('path', 'PATH', 'Path requested (required), e.g. /health.', (d, v) => (d.path = v)),
    u.text('digest', 'MD5HEX', 'MD5 of the body (see tandem genhash).', (d, v, st, cx) => {
      if (!/^[0-9a-fA-F]{32}$/.test(v)) {
        cx.sink.error(
          'CFG_INVALID_VALUE',
          st.args[0]?.at ?? st.keyword.at,
          `invalid digest '${v}': expected 32 hexadecimal digits (an MD5 sum)`,
        );
        return;
      }
      d.digest = v.toLowerCase();
    }),
    keyword<UrlDraft>({
      name: 'status_code',
      syntax: 'CODE|FROM-TO ...',
      doc: 'Accepted HTTP status codes (200-299 when neither this nor digest is set).',
      repeatable: true,
      apply: (d, st, cx) => {
        const codes = statusCodes(st, cx);
        if (codes !== undefined) d.statusCode = [...(d.statusCode ?? []), ...codes];
      },
    }),
    u.text('virtualhost', 'HOST', 'Host header of this URL.', (d, v) => (d.virtualhost = v)),
    u.text(
      'regex',
      '"REGEX"',
      'The body must match this regular expression.',
      (d, v) => (d.regex = v),
    ),
    u.flag('regex_no_match', 'The body must NOT match the regex.', (d, v) => (d.regexNoMatch = v)),
    keyword<UrlDraft>({
      name: 'regex_options',
      syntax: 'OPTION ...',
      doc: 'PCRE2 options of the regex: caseless, multiline, dotall, ...',
      apply: (d, st) => d.regexOptions.push(...st.args.map((w) => w.text)),
    }),
    u.int(
      'regex_min_offset',
      0,
      2147483647,
      'Start of the body region searched.',
      (d, v) => (d.regexMinOffset = v),
    ),
    u.int(
      'regex_max_offset',
      0,
      2147483647,
      'End of the body region searched.',
      (d, v) => (d.regexMaxOffset = v),
    ),
    ignored<UrlDraft>(
      'regex_stack',
      'START MAX',
      'PCRE2 JIT stack size.',
      "'regex_stack' tunes PCRE2's JIT; it has no effect in tandem",
    ),
  ],
});

function finishUrl(d: UrlDraft, st: Statement, cx: Cx): HttpUrl | undefined {
  if (d.path === undefined) {
    cx.sink.error('CFG_MISSING_REQUIRED', st.keyword.at, "this url block has no 'path'");
    return undefined;
  }
  const statusCode = d.statusCode ?? (d.digest === undefined ? [[200, 299] as const] : []);
  return compact<HttpUrl>({
    ...d,
    at: pos(st.keyword.at),
    path: d.path,
    statusCode,
    regexNoMatch: d.regexNoMatch ?? false,
  });
}

function checkerBlock(
  type: CheckerType,
  doc: string,
  keywords: Keyword<CheckerDraft>[],
): BlockSpec<CheckerDraft> {
  return registerBlock<CheckerDraft>({
    name: type,
    doc,
    newDraft: () => ({ type, fields: {}, url: [] }),
    keywords,
  });
}

const httpKeywords = (): Keyword<CheckerDraft>[] => [
  ...connection(),
  blockKeyword<CheckerDraft, UrlDraft>({
    name: 'url',
    syntax: '{ path PATH; digest MD5 | status_code CODES; ... }',
    doc: 'A URL to fetch; several are allowed, all must pass.',
    child: urlBlock,
    finish: (d, c, st, cx) => {
      const url = finishUrl(c, st, cx);
      if (url !== undefined) d.url.push(url);
    },
  }),
  b.choice(
    'http_protocol',
    ['1.0', '1.0C', '1.1'] as const,
    'HTTP version of the request (1.0; 1.0C adds Connection: close).',
    (d, v) => set('httpProtocol')(d, v),
  ),
  b.text('virtualhost', 'HOST', 'Host header (default: the real server address).', (d, v) =>
    set('virtualhost')(d, v),
  ),
  b.flag('fast_recovery', 'Check all URLs at once when the server is down.', (d, v) =>
    set('fastRecovery')(d, v),
  ),
  b.flag('enable_sni', 'Send SNI; SSL_GET only.', (d, v) => set('enableSni')(d, v)),
  b.text('sni_name', 'NAME', 'SNI name; SSL_GET only (default: the virtualhost).', (d, v) =>
    set('sniName')(d, v),
  ),
  b.flag('tls_compliant', 'Close TLS cleanly; SSL_GET only.', (d, v) => set('tlsCompliant')(d, v)),
];

export const checkerBlocks: readonly BlockSpec<CheckerDraft>[] = [
  checkerBlock(
    'TCP_CHECK',
    'Connect to the server; success means it accepts TCP connections.',
    connection(),
  ),
  checkerBlock(
    'HTTP_GET',
    'Fetch URLs over HTTP and check status, MD5 digest or regex.',
    httpKeywords(),
  ),
  checkerBlock(
    'SSL_GET',
    'Fetch URLs over HTTPS and check status, MD5 digest or regex.',
    httpKeywords(),
  ),
  checkerBlock('SMTP_CHECK', 'Read the SMTP banner and exchange HELO.', [
    ...connection(),
    b.text('helo_name', 'NAME', 'HELO name (smtpchecker.keepalived.org).', (d, v) =>
      set('heloName')(d, v),
    ),
    unsupported<CheckerDraft>(
      'host',
      '{ ... }',
      'Deprecated per-host sub-block; use several SMTP_CHECKs.',
      true,
    ),
  ]),
  checkerBlock('DNS_CHECK', 'Send a DNS query over UDP and expect an answer.', [
    ...connection(),
    b.choice(
      'type',
      ['A', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'AAAA'] as const,
      'Query type (SOA).',
      (d, v) => set('queryType')(d, v),
      { caseInsensitive: true },
    ),
    b.text('name', 'NAME', 'Query name (.).', (d, v) => set('name')(d, v)),
  ]),
  checkerBlock(
    'MISC_CHECK',
    'Run a script; exit 0 = up (misc_dynamic: 2..255 sets weight = code − 2).',
    [
      ...timing(),
      b.command('misc_path', 'The script (required).', (d, v) => set('miscPath')(d, v)),
      b.seconds(
        'misc_timeout',
        0.001,
        86400,
        'Seconds before the script is killed (delay_loop).',
        (d, v) => set('miscTimeout')(d, v),
      ),
      b.flag('misc_dynamic', 'Exit codes 2..255 set the weight.', (d, v) =>
        set('miscDynamic')(d, v),
      ),
      keyword<CheckerDraft>({
        name: 'user',
        syntax: 'USER [GROUP]',
        doc: 'User (and group) the script runs as.',
        apply: (d, st, cx) => {
          if (!arity(st, cx, 1, 2, 'USER [GROUP]')) return;
          d.fields.user = st.args[0]?.text;
          d.fields.group = st.args[1]?.text;
        },
      }),
    ],
  ),
  checkerBlock('UDP_CHECK', 'Send a datagram; fail on ICMP unreachable or a wrong reply.', [
    ...connection(),
    keyword<CheckerDraft>({
      name: 'payload',
      syntax: 'HEX ...',
      doc: 'Bytes to send, in hexadecimal (spaces allowed).',
      apply: (d, st, cx) => {
        const hex = hexWords(st, cx, false);
        if (hex !== undefined) d.fields.payload = hex;
      },
    }),
    keyword<CheckerDraft>({
      name: 'require_reply',
      syntax: '[HEX]',
      doc: 'A reply is needed (matching HEX; x is a nibble wildcard).',
      apply: (d, st, cx) => {
        const hex = st.args.length === 0 ? '' : hexWords(st, cx, true);
        if (hex !== undefined) d.fields.requireReply = hex;
      },
    }),
    b.int('min_reply_length', 0, 65535, 'Shortest acceptable reply (0).', (d, v) =>
      set('minReplyLength')(d, v),
    ),
    b.int('max_reply_length', 0, 65535, 'Longest acceptable reply (255).', (d, v) =>
      set('maxReplyLength')(d, v),
    ),
  ]),
  checkerBlock('PING_CHECK', 'ICMP echo to the server.', connection()),
  checkerBlock('FILE_CHECK', 'Take the state (and weight) from a track_file.', [
    b.text('track_file', 'NAME', 'The track_file to follow (required).', (d, v) =>
      set('trackFile')(d, v),
    ),
    keyword<CheckerDraft>({
      name: 'weight',
      syntax: 'W [reverse]',
      doc: 'Multiplier of the file value.',
      apply: (d, st, cx) => {
        if (!arity(st, cx, 1, 2, 'W [reverse]') || st.args[0] === undefined) return;
        d.fields.weight = integer(st.args[0], cx, -2147483648, 2147483647);
        d.fields.weightReverse = st.args[1]?.text === 'reverse';
      },
    }),
    b.flag('dynamic', 'The file value sets the weight.', (d, v) => set('dynamic')(d, v)),
  ]),
  checkerBlock('BFD_CHECK', 'Follow a BFD session of a bfd_instance.', [
    b.text('name', 'BFD_INSTANCE', 'The BFD instance (required).', (d, v) => set('name')(d, v)),
    b.flag('alpha', 'Start down until the session is up.', (d, v) => (d.alpha = v)),
  ]),
];
