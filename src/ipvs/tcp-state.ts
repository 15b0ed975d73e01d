// The TCP connection state machine of IPVS (shared/reference/ipvs.md §3.2, the kernel's
// ip_vs_proto_tcp.c): the event is the first of RST, SYN, FIN, ACK present in a segment, the
// next state comes from the INPUT / OUTPUT / INPUT-ONLY tables (INPUT-ONLY while a DR/TUN
// connection has never shown an output packet), and a segment with none of the flags moves the
// connection to CLOSE. Pre-established states count as active (kernel ≥ 4.8, §3.3).

/** State indices exactly as the kernel numbers them; UDP is our own extra slot. */
export const TCP_STATE = {
  NONE: 0,
  ESTABLISHED: 1,
  SYN_SENT: 2,
  SYN_RECV: 3,
  FIN_WAIT: 4,
  TIME_WAIT: 5,
  CLOSE: 6,
  CLOSE_WAIT: 7,
  LAST_ACK: 8,
  LISTEN: 9,
  SYNACK: 10,
} as const;

export type TcpStateIndex = (typeof TCP_STATE)[keyof typeof TCP_STATE];

export const TCP_STATE_NAMES = [
  'NONE',
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'SYNACK',
] as const;

/** TCP header flag bits as they appear on the wire, so data planes can pass the byte through. */
export const TCP_FLAG = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

/** Which way a packet went: client→server (`in`) or server→client (`out`, NAT only). */
export type Direction = 'in' | 'out';

/** Table rows: syn, fin, ack, rst (the kernel's tcp_state_idx order). */
const EVENT_SYN = 0;
const EVENT_FIN = 1;
const EVENT_ACK = 2;
const EVENT_RST = 3;

const { ESTABLISHED: ES, SYN_SENT: SS, SYN_RECV: SR, FIN_WAIT: FW } = TCP_STATE;
const { TIME_WAIT: TW, CLOSE: CL, CLOSE_WAIT: CW, LAST_ACK: LA, LISTEN: LI } = TCP_STATE;

// Columns are the current state NO ES SS SR FW TW CL CW LA LI SA (§3.2, non-secure tables).
// prettier-ignore
const INPUT: readonly (readonly TcpStateIndex[])[] = [
  /* syn */ [SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR],
  /* fin */ [CL, CW, SS, TW, TW, TW, CL, CW, LA, LI, TW],
  /* ack */ [ES, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES],
  /* rst */ [CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, SR],
];
// prettier-ignore
const OUTPUT: readonly (readonly TcpStateIndex[])[] = [
  /* syn */ [SS, ES, SS, SR, SS, SS, SS, SS, SS, LI, SR],
  /* fin */ [TW, FW, SS, TW, FW, TW, CL, TW, LA, LI, TW],
  /* ack */ [ES, ES, SS, ES, FW, TW, CL, CW, LA, ES, ES],
  /* rst */ [CL, CL, SS, CL, CL, TW, CL, CL, CL, CL, CL],
];
// prettier-ignore
const INPUT_ONLY: readonly (readonly TcpStateIndex[])[] = [
  /* syn */ [SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR],
  /* fin */ [CL, FW, SS, TW, FW, TW, CL, CW, LA, LI, TW],
  /* ack */ [ES, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES],
  /* rst */ [CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, CL],
];

/** The kernel's tcp_state_idx: RST beats SYN beats FIN beats ACK; -1 when none is set. */
export function tcpEvent(flags: number): number {
  if ((flags & TCP_FLAG.RST) !== 0) return EVENT_RST;
  if ((flags & TCP_FLAG.SYN) !== 0) return EVENT_SYN;
  if ((flags & TCP_FLAG.FIN) !== 0) return EVENT_FIN;
  if ((flags & TCP_FLAG.ACK) !== 0) return EVENT_ACK;
  return -1;
}

/**
 * Next state for a segment with `flags` seen in `direction`; `inputOnly` selects the INPUT-ONLY
 * table (the connection has NOOUTPUT set and this is an input packet).
 */
export function nextTcpState(
  state: number,
  direction: Direction,
  flags: number,
  inputOnly: boolean,
): TcpStateIndex {
  const event = tcpEvent(flags);
  if (event < 0) return TCP_STATE.CLOSE;
  const table = direction === 'out' ? OUTPUT : inputOnly ? INPUT_ONLY : INPUT;
  return table[event]?.[state] ?? TCP_STATE.CLOSE;
}

/** ESTABLISHED and the pre-established states count as ActiveConn (kernel ≥ 4.8). */
export function isActiveTcpState(state: number): boolean {
  return (
    state === TCP_STATE.ESTABLISHED ||
    state === TCP_STATE.SYN_SENT ||
    state === TCP_STATE.SYN_RECV ||
    state === TCP_STATE.SYNACK
  );
}

/** A segment that may open a new connection: SYN without RST (any non-RST when sloppy). */
export function isTcpNewConn(flags: number, sloppy: boolean): boolean {
  if ((flags & TCP_FLAG.RST) !== 0) return false;
  return sloppy || (flags & TCP_FLAG.SYN) !== 0;
}
