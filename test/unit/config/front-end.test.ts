// The lexer, preprocessor and include handling, through compileConfig on in-memory files.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileConfig, memoryFs, type CompileResult } from '../../../src/config/index.js';

const HOST = {
  hostname: 'lb1.example.com',
  user: 'root',
  random: () => 0.5,
  env: { HOME: '/root' },
};

function compile(files: Record<string, string>, extra: { configId?: string } = {}): CompileResult {
  return compileConfig('/etc/k/keepalived.conf', { ...HOST, ...extra, fs: memoryFs(files) });
}
const codes = (r: CompileResult): string[] =>
  r.diagnostics.map((d) => `${d.code}@${d.at?.line ?? 0}:${d.at?.column ?? 0}`);

const VS = (body: string) => `virtual_server 10.0.0.1 80 {\n protocol TCP\n${body}\n}\n`;

test('comments: # and ! anywhere outside quotes, \\# literal, quotes keep them', () => {
  const r = compile({
    '/etc/k/keepalived.conf': `global_defs { ! comment\n router_id a\\#b # trailing\n notification_email_from "x#y@z" }\n`,
  });
  assert.deepEqual(codes(r), []);
  assert.equal(r.config.global.routerId, 'a#b');
  assert.equal(r.config.global.notificationEmailFrom, 'x#y@z');
});

test('braces glued to words and one-line blocks', () => {
  const r = compile({
    '/etc/k/keepalived.conf': `virtual_server 10.0.0.1 80{ lvs_sched rr\nprotocol TCP\nreal_server 10.0.0.2 80 { weight 2 } }\n`,
  });
  assert.deepEqual(codes(r), []);
  assert.equal(r.config.virtualServers[0]?.realServers[0]?.weight, 2);
});

test('a block brace on the next line', () => {
  const r = compile({ '/etc/k/keepalived.conf': `global_defs\n{\n router_id x\n}\n` });
  assert.deepEqual(codes(r), []);
  assert.equal(r.config.global.routerId, 'x');
});

test('unterminated quote, missing and extra braces are reported with positions', () => {
  const r = compile({
    '/etc/k/keepalived.conf': `global_defs {\n router_id "abc\n}\n}\nvrrp_instance X {\n`,
  });
  assert.deepEqual(codes(r), [
    'CFG_UNTERMINATED_QUOTE@2:12',
    'CFG_EXTRA_BRACE@4:1',
    'CFG_MISSING_CLOSE_BRACE@5:1',
    'CFG_MISSING_REQUIRED@5:1',
  ]);
});

test("unknown keywords get a suggestion; ';' gets a hint", () => {
  const r = compile({
    '/etc/k/keepalived.conf': VS(' dealy_loop 5\n real_server 10.0.0.2 80 { weight 2; }'),
  });
  const msgs = r.diagnostics.map((d) => d.message);
  assert.match(
    msgs[0] ?? '',
    /unknown keyword 'dealy_loop' in virtual_server block; did you mean 'delay_loop'\?/,
  );
  assert.match(msgs[1] ?? '', /invalid number '2;'.*';' is not a statement separator/);
});

test('conditional lines follow the config id', () => {
  const text = `global_defs {\n@lb1 router_id one\n@^lb1 router_id other\n}\n`;
  assert.equal(compile({ '/etc/k/keepalived.conf': text }).config.global.routerId, 'one');
  assert.equal(
    compile({ '/etc/k/keepalived.conf': text }, { configId: 'lb2' }).config.global.routerId,
    'other',
  );
});

test('definitions: $NAME, ${NAME}, multi-line, built-ins; undefined names stay', () => {
  const r = compile({
    '/etc/k/keepalived.conf': [
      '$RID=edge',
      '$RS=real_server 10.0.0.9 80 {\\',
      '  weight 4 \\',
      '}',
      'global_defs {',
      '  router_id ${RID}-${_INSTANCE}',
      '  notification_email_from ${_ENV HOME}@$UNDEFINED',
      '}',
      VS('$RS'),
    ].join('\n'),
  });
  assert.deepEqual(codes(r), []);
  assert.equal(r.config.global.routerId, 'edge-lb1');
  assert.equal(r.config.global.notificationEmailFrom, '/root@$UNDEFINED');
  assert.equal(r.config.virtualServers[0]?.realServers[0]?.weight, 4);
});

test('~SEQ and ~LST repeat lines', () => {
  const r = compile({
    '/etc/k/keepalived.conf': VS(
      '~SEQ(n, 2, 2, 6) real_server 10.0.0.$n 80 { weight $n }\n~LST({a,w}, {20,7}, {21,8}) real_server 10.0.0.$a 80 { weight $w }',
    ),
  });
  assert.deepEqual(codes(r), []);
  assert.deepEqual(
    r.config.virtualServers[0]?.realServers.map((s) => `${s.address}/${s.weight}`),
    ['10.0.0.2/2', '10.0.0.4/4', '10.0.0.6/6', '10.0.0.20/7', '10.0.0.21/8'],
  );
});

test('a self-referencing definition is an error, not a hang', () => {
  const r = compile({ '/etc/k/keepalived.conf': '$A=x $A\nglobal_defs {\n router_id $A\n}\n' });
  assert.ok(r.diagnostics.some((d) => d.code === 'CFG_BAD_DEFINITION'));
});

test('include: relative to the including file, globs sorted, nested, with the chain in diagnostics', () => {
  const r = compile({
    '/etc/k/keepalived.conf': 'include conf.d/*.conf\n',
    '/etc/k/conf.d/b.conf': VS(' lvs_sched rr\n include ../rs/*.conf'),
    '/etc/k/conf.d/a.conf': 'global_defs {\n router_id from-a\n}\n',
    '/etc/k/rs/1.conf': 'real_server 10.0.0.2 80 {\n weight bogus\n}\n',
  });
  assert.equal(r.config.global.routerId, 'from-a');
  assert.deepEqual(r.files, [
    '/etc/k/keepalived.conf',
    '/etc/k/conf.d/a.conf',
    '/etc/k/conf.d/b.conf',
    '/etc/k/rs/1.conf',
  ]);
  const bad = r.diagnostics.find((d) => d.code === 'CFG_INVALID_NUMBER');
  assert.equal(bad?.at?.source.path, '/etc/k/rs/1.conf');
  assert.equal(bad.at.source.includedFrom?.source.path, '/etc/k/conf.d/b.conf');
  assert.equal(
    bad.at.source.includedFrom.source.includedFrom?.source.path,
    '/etc/k/keepalived.conf',
  );
});

test('include cycles and missing files', () => {
  const r = compile({
    '/etc/k/keepalived.conf':
      'include a.conf\ninclude missing.conf\nincluder nothing/*.conf\ninclude none/*.conf\n',
    '/etc/k/a.conf': 'include keepalived.conf\n',
  });
  assert.deepEqual(
    r.diagnostics.map((d) => `${d.severity}:${d.code}`),
    ['error:CFG_INCLUDE_CYCLE', 'warning:CFG_INCLUDE_NOT_FOUND', 'error:CFG_INCLUDE_NOT_FOUND'],
  );
});

test('brace expansion in include patterns', () => {
  const r = compile({
    '/etc/k/keepalived.conf': 'include {x,y}.conf\n',
    '/etc/k/x.conf': 'global_defs {\n smtp_helo_name hx\n}\n',
    '/etc/k/y.conf': 'global_defs {\n router_id ry\n}\n',
  });
  assert.deepEqual(codes(r), []);
  assert.equal(r.config.global.smtpHeloName, 'hx');
  assert.equal(r.config.global.routerId, 'ry');
});

test('plain lines and lines with comments give the same model and positions', () => {
  // Lines without comments, quotes, $, @, ~ or include take the lexer's fast path; a trailing
  // comment sends the same line through the general path. Both must agree to the column.
  const lines = [
    'virtual_server 10.0.0.1 80{',
    '\tlvs_sched  rr',
    '  real_server 10.0.0.2 80 {weight 2',
    '    TCP_CHECK { connect_timeout 3 }',
    '  }',
    '  real_server 10.0.0.3 80 { weight x }',
    '  bogus_keyword 1',
    '  protocol TCP',
    '}\r',
    '}',
  ];
  const plain = compile({ '/etc/k/keepalived.conf': `${lines.join('\n')}\n` });
  const commented = compile({
    '/etc/k/keepalived.conf': `${lines.map((l) => `${l} # c`).join('\n')}\n`,
  });
  assert.deepEqual(codes(plain), [
    'CFG_INVALID_NUMBER@6:36',
    'CFG_UNKNOWN_KEYWORD@7:3',
    'CFG_EXTRA_BRACE@10:1',
  ]);
  assert.deepEqual(codes(commented), codes(plain));
  assert.deepEqual(commented.config, plain.config);
});
