// Growable Int32Array storage for the compiler's flat records (tokens, statements): the array,
// doubled as often as needed so that `needed` slots fit, contents kept.

export function ensureInt32(arr: Int32Array, needed: number): Int32Array {
  if (needed <= arr.length) return arr;
  let size = Math.max(arr.length, 16);
  while (size < needed) size *= 2;
  const bigger = new Int32Array(size);
  bigger.set(arr);
  return bigger;
}
