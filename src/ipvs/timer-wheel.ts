// Expiry for up to millions of entries without one timer each (shared/reference/ipvs.md §10):
// a hashed timing wheel of intrusive doubly-linked lists in typed arrays, indexed by the same
// integer ids as the connection store. Each entry keeps its exact expiry time; slots only
// bucket entries so that `collectDue(now)` looks at the slots passed since the last call
// (re-scanning the current one, so nothing due in it is missed) and returns exactly the
// entries with expiresAt <= now — the kernel fires a timer once jiffies >= expires. Entries
// more than one rotation ahead are skipped on earlier visits. Re-arming is O(1).

const SLOT_MS = 500;
const SLOTS = 2048; // one rotation = 1024 s, longer than the default TCP timeout

/** prev[] value of an unlinked entry; a list head stores -(slot + 2). */
const UNLINKED = -1;

export class TimerWheel {
  #next = new Int32Array(0);
  #prev = new Int32Array(0);
  #expires = new Float64Array(0);
  readonly #heads = new Int32Array(SLOTS).fill(-1);
  /** Tick number of the oldest slot not yet fully processed. */
  #cursor: number;

  constructor(now: number, capacity: number) {
    this.#cursor = Math.floor(now / SLOT_MS);
    this.ensureCapacity(capacity);
  }

  ensureCapacity(capacity: number): void {
    if (capacity <= this.#next.length) return;
    const next = new Int32Array(capacity);
    next.set(this.#next);
    const prev = new Int32Array(capacity).fill(UNLINKED);
    prev.set(this.#prev);
    const expires = new Float64Array(capacity);
    expires.set(this.#expires);
    this.#next = next;
    this.#prev = prev;
    this.#expires = expires;
  }

  expiresAt(id: number): number {
    return this.#expires[id] ?? 0;
  }

  isArmed(id: number): boolean {
    return (this.#prev[id] ?? UNLINKED) !== UNLINKED;
  }

  /** Arm (or re-arm) `id` to expire at `at` ms. */
  arm(id: number, at: number): void {
    const tick = Math.max(Math.floor(at / SLOT_MS), this.#cursor);
    const slot = tick % SLOTS;
    this.#expires[id] = at;
    const prev = this.#prev[id] ?? UNLINKED;
    if (prev === -(slot + 2)) return; // already at the head of the right slot
    if (prev !== UNLINKED) this.cancel(id);
    const head = this.#heads[slot] ?? -1;
    this.#next[id] = head;
    this.#prev[id] = -(slot + 2);
    if (head >= 0) this.#prev[head] = id;
    this.#heads[slot] = id;
  }

  cancel(id: number): void {
    const prev = this.#prev[id] ?? UNLINKED;
    if (prev === UNLINKED) return;
    const next = this.#next[id] ?? -1;
    if (prev >= 0) this.#next[prev] = next;
    else this.#heads[-prev - 2] = next;
    if (next >= 0) this.#prev[next] = prev;
    this.#prev[id] = UNLINKED;
    this.#next[id] = -1;
  }

  /** Unlink and return every entry with expiresAt <= now, oldest slots first. */
  collectDue(now: number): number[] {
    const due: number[] = [];
    const last = Math.floor(now / SLOT_MS);
    if (last < this.#cursor) return due;
    const first = last - this.#cursor >= SLOTS ? last - SLOTS + 1 : this.#cursor;
    for (let tick = first; tick <= last; tick++) {
      const slot = tick % SLOTS;
      let id = this.#heads[slot] ?? -1;
      while (id >= 0) {
        const next = this.#next[id] ?? -1;
        if ((this.#expires[id] ?? 0) <= now) {
          this.cancel(id);
          due.push(id);
        }
        id = next;
      }
    }
    this.#cursor = last;
    return due;
  }

  get byteSize(): number {
    return this.#next.byteLength + this.#prev.byteLength + this.#expires.byteLength;
  }
}
