// Greatest common divisor of the positive weights, as ip_vs_wrr_gcd_weight and
// ip_vs_mh_gcd_weight compute it (lib/math/gcd.c semantics for positive integers).

export function gcd(a: number, b: number): number {
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/** gcd of all weights > 0, or 0 when there are none (callers map 0 as the kernel does). */
export function gcdOfPositive(weights: Iterable<number>): number {
  let g = 0;
  for (const w of weights) {
    if (w > 0) g = g > 0 ? gcd(w, g) : w;
  }
  return g;
}
