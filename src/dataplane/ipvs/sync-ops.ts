// Sending one planned change (sync-plan.ts) to the kernel, and what its errno means for the plane:
// a mismatch (EEXIST on a creation, ESRCH/ENOENT on an edit) says the kernel's table is not what
// the plane thought and the service is read back; ESRCH/ENOENT on a deletion says the object is
// gone already, which was the goal. Other errnos are failures, retried later.

import type { IpvsKernel, IpvsResult } from '../../sys/ipvs-kernel.js';
import { destId, serviceId } from './kernel-spec.js';
import type { SyncOp } from './sync-plan.js';

type Op = SyncOp['op'];

const MISMATCH: Readonly<Record<Op, readonly string[]>> = {
  'new-service': ['EEXIST'],
  'set-service': ['ESRCH'],
  'del-service': [],
  'new-dest': ['EEXIST', 'ESRCH'],
  'set-dest': ['ENOENT', 'ESRCH'],
  'del-dest': [],
};

const GONE: Readonly<Record<Op, readonly string[]>> = {
  'new-service': [],
  'set-service': [],
  'del-service': ['ESRCH'],
  'new-dest': [],
  'set-dest': [],
  'del-dest': ['ENOENT', 'ESRCH'],
};

/** Errnos not worth a log line for each operation: the plane deals with them. */
export const QUIET: Readonly<Record<Op, readonly string[]>> = {
  'new-service': [...MISMATCH['new-service'], ...GONE['new-service']],
  'set-service': [...MISMATCH['set-service'], ...GONE['set-service']],
  'del-service': [...MISMATCH['del-service'], ...GONE['del-service']],
  'new-dest': [...MISMATCH['new-dest'], ...GONE['new-dest']],
  'set-dest': [...MISMATCH['set-dest'], ...GONE['set-dest']],
  'del-dest': [...MISMATCH['del-dest'], ...GONE['del-dest']],
};

export function isMismatch(op: SyncOp, code: string): boolean {
  return MISMATCH[op.op].includes(code);
}

export function isGone(op: SyncOp, code: string): boolean {
  return GONE[op.op].includes(code);
}

/** `new-dest 6|inet|10.0.0.1|80 inet|10.0.1.1|80`, for logs. */
export function opLabel(op: SyncOp): string {
  const what = 'dest' in op ? `${serviceId(op.service)} ${destId(op.dest)}` : serviceId(op.service);
  return `${op.op} ${what}`;
}

export function sendOp(k: IpvsKernel, op: SyncOp): IpvsResult<void> {
  switch (op.op) {
    case 'new-service':
      return k.newService(op.service);
    case 'set-service':
      return k.setService(op.service);
    case 'del-service':
      return k.delService(op.service);
    case 'new-dest':
      return k.newDest(op.service, op.dest);
    case 'set-dest':
      return k.setDest(op.service, op.dest);
    case 'del-dest':
      return k.delDest(op.service, op.dest);
  }
}
