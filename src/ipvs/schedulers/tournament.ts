// A tournament tree over the destination list, so the kernel's linear "least loaded" scans
// (lc, wlc, sed, nq, ovf and the wlc step of lblc/lblcr) cost O(log n) per counter change and
// O(1) per pick while returning the very dest the scan would.
//
// Why it is exact: each kernel scan keeps the first dest in list order that no later dest
// strictly beats, and every "beats" relation used (integer or cross-multiplied ratio
// comparisons) is a strict weak order. The minimum of a strict weak order with "earlier
// wins ties" is associative, so combining left (earlier) and right subtrees that way gives
// the scan's answer. Leaves hold list positions; internal nodes hold the winning position.

import type { SchedDest } from '../scheduler.js';

export interface Tournament {
  /** New list (kernel order); O(n). */
  rebuild(dests: readonly SchedDest[]): void;
  /** One dest's counters or flags changed; O(log n). Unknown dests are ignored. */
  refresh(dest: SchedDest): void;
  /** The scan's answer, or undefined when no dest is eligible. */
  winner(): SchedDest | undefined;
  /** Position of a dest in the current list, or -1. */
  position(dest: SchedDest): number;
}

/**
 * `eligible` says whether the scan may consider a dest at all; `better(challenger,
 * incumbent)` is the kernel's strict "replace the candidate" test.
 */
export function createTournament(
  eligible: (d: SchedDest) => boolean,
  better: (challenger: SchedDest, incumbent: SchedDest) => boolean,
): Tournament {
  let list: readonly SchedDest[] = [];
  let size = 1;
  let tree = new Int32Array(2).fill(-1);
  let positions = new Map<number, number>();

  const play = (left: number, right: number): number => {
    if (left < 0) return right;
    if (right < 0) return left;
    const l = list[left];
    const r = list[right];
    if (l === undefined || r === undefined) return l === undefined ? right : left;
    return better(r, l) ? right : left;
  };

  return {
    rebuild(dests) {
      list = dests.slice();
      size = 1;
      while (size < list.length) size *= 2;
      tree = new Int32Array(2 * size).fill(-1);
      positions = new Map();
      list.forEach((d, i) => {
        positions.set(d.id, i);
        if (eligible(d)) tree[size + i] = i;
      });
      for (let node = size - 1; node >= 1; node--) {
        tree[node] = play(tree[2 * node] ?? -1, tree[2 * node + 1] ?? -1);
      }
    },
    refresh(dest) {
      const pos = positions.get(dest.id);
      if (pos === undefined || list[pos] !== dest) return;
      let node = size + pos;
      tree[node] = eligible(dest) ? pos : -1;
      node >>= 1;
      while (node >= 1) {
        const before = tree[node] ?? -1;
        const after = play(tree[2 * node] ?? -1, tree[2 * node + 1] ?? -1);
        tree[node] = after;
        // Ancestors only see this node's winner: if it is the same dest and not the one that
        // changed, nothing above can change either.
        if (after === before && after !== pos) return;
        node >>= 1;
      }
    },
    winner() {
      const w = tree[1] ?? -1;
      return w < 0 ? undefined : list[w];
    },
    position(dest) {
      const pos = positions.get(dest.id);
      return pos !== undefined && list[pos] === dest ? pos : -1;
    },
  };
}
