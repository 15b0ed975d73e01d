// A max segment tree over list positions answering "first position >= from whose value is
// >= x" in O(log n). wrr uses it to find the next dest whose weight reaches the current
// level without walking past the lighter ones the kernel would step over one by one.

export interface MaxTree {
  readonly max: number;
  firstAtLeast(from: number, x: number): number;
}

/** `values` must be >= 0; callers use 0 for "never", since they only ask for x >= 1. */
export function createMaxTree(values: readonly number[]): MaxTree {
  let size = 1;
  while (size < values.length) size *= 2;
  const tree = new Float64Array(2 * size);
  values.forEach((v, i) => (tree[size + i] = v));
  for (let node = size - 1; node >= 1; node--) {
    tree[node] = Math.max(tree[2 * node] ?? 0, tree[2 * node + 1] ?? 0);
  }
  const n = values.length;
  return {
    max: tree[1] ?? 0,
    firstAtLeast(from, x) {
      if (from >= n) return -1;
      let node = size + from;
      while (true) {
        if ((tree[node] ?? 0) >= x) {
          while (node < size) {
            node *= 2;
            if ((tree[node] ?? 0) < x) node++;
          }
          return node - size;
        }
        // Climb while we are a right child, then step to the right sibling; past the root
        // (node 1 is odd) we reach 0: nothing to the right.
        while ((node & 1) === 1) node >>= 1;
        if (node === 0) return -1;
        node++;
      }
    },
  };
}
