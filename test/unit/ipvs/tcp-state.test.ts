import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  isActiveTcpState,
  isTcpNewConn,
  nextTcpState,
  TCP_FLAG,
  TCP_STATE,
  TCP_STATE_NAMES,
} from '../../../src/ipvs/tcp-state.js';

const { SYN, ACK, FIN, RST } = TCP_FLAG;
const name = (s: number) => TCP_STATE_NAMES[s];

test('client handshake and close through a NAT director', () => {
  let s: number = TCP_STATE.NONE;
  s = nextTcpState(s, 'in', SYN, false);
  assert.equal(name(s), 'SYN_RECV');
  s = nextTcpState(s, 'out', SYN | ACK, false);
  assert.equal(name(s), 'SYN_RECV');
  s = nextTcpState(s, 'in', ACK, false);
  assert.equal(name(s), 'ESTABLISHED');
  s = nextTcpState(s, 'in', FIN | ACK, false);
  assert.equal(name(s), 'CLOSE_WAIT');
  s = nextTcpState(s, 'out', FIN | ACK, false);
  assert.equal(name(s), 'TIME_WAIT');
});

test('DR (input-only): FIN from the client goes to FIN_WAIT, RST from SYNACK to CLOSE', () => {
  assert.equal(name(nextTcpState(TCP_STATE.ESTABLISHED, 'in', FIN, true)), 'FIN_WAIT');
  assert.equal(name(nextTcpState(TCP_STATE.ESTABLISHED, 'in', FIN, false)), 'CLOSE_WAIT');
  assert.equal(name(nextTcpState(TCP_STATE.SYNACK, 'in', RST, true)), 'CLOSE');
  assert.equal(name(nextTcpState(TCP_STATE.SYNACK, 'in', RST, false)), 'SYN_RECV');
});

test('event priority RST > SYN > FIN > ACK, and no flag → CLOSE', () => {
  assert.equal(name(nextTcpState(TCP_STATE.ESTABLISHED, 'in', SYN | RST, false)), 'CLOSE');
  assert.equal(name(nextTcpState(TCP_STATE.TIME_WAIT, 'in', SYN | FIN, false)), 'SYN_RECV');
  assert.equal(name(nextTcpState(TCP_STATE.ESTABLISHED, 'in', FIN | ACK, false)), 'CLOSE_WAIT');
  assert.equal(name(nextTcpState(TCP_STATE.ESTABLISHED, 'in', 0, false)), 'CLOSE');
  assert.equal(name(nextTcpState(TCP_STATE.ESTABLISHED, 'in', TCP_FLAG.PSH, false)), 'CLOSE');
});

test('output table rows (spot checks against §3.2)', () => {
  assert.equal(name(nextTcpState(TCP_STATE.NONE, 'out', SYN, false)), 'SYN_SENT');
  assert.equal(name(nextTcpState(TCP_STATE.LISTEN, 'out', ACK, false)), 'ESTABLISHED');
  assert.equal(name(nextTcpState(TCP_STATE.TIME_WAIT, 'out', RST, false)), 'TIME_WAIT');
  assert.equal(name(nextTcpState(TCP_STATE.CLOSE_WAIT, 'out', FIN, false)), 'TIME_WAIT');
  assert.equal(name(nextTcpState(TCP_STATE.LAST_ACK, 'in', ACK, false)), 'CLOSE');
});

test('active states and connection-opening segments', () => {
  const active = TCP_STATE_NAMES.filter((_, i) => isActiveTcpState(i));
  assert.deepEqual(active, ['ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'SYNACK']);
  assert.equal(isTcpNewConn(SYN, false), true);
  assert.equal(isTcpNewConn(SYN | RST, false), false);
  assert.equal(isTcpNewConn(ACK, false), false);
  assert.equal(isTcpNewConn(ACK, true), true);
  assert.equal(isTcpNewConn(RST, true), false);
});
