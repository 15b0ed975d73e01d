// Storage for connection entries (shared/reference/ipvs.md §3.1): a struct of typed arrays
// indexed by an integer id, with a chained hash index on the inbound key (protocol, client
// address:port, virtual address:port, template bit, family). One JS object per connection
// would cost several hundred bytes; this layout costs about 40 bytes per entry plus the index
// (the budget is 200 bytes per tracked connection, see bench/conn-table.ts). Capacity doubles
// on demand; ids of freed entries are recycled through a free list.

/** Entry flag bits (ours; the kernel's IP_VS_CONN_F_* numbering is not needed outside). */
export const CONN_FLAG = {
  IN_USE: 0x1,
  TEMPLATE: 0x2,
  INACTIVE: 0x4,
  NO_OUTPUT: 0x8,
  ONE_PACKET: 0x10,
  /** Client and virtual addresses are interned IPv6 ids. */
  V6: 0x20,
  /** Template whose "virtual address" is a firewall mark (protocol IP). */
  VMARK: 0x40,
  /** Template: a controlled connection reached ESTABLISHED or a UDP reply was seen. */
  ASSURED: 0x80,
  HASHED: 0x100,
} as const;

export interface ConnKey {
  proto: number;
  caddr: number;
  cport: number;
  vaddr: number;
  vport: number;
  /** TEMPLATE | V6 bits of the entry (the other flags are not part of the key). */
  keyFlags: number;
}

const KEY_FLAGS = CONN_FLAG.TEMPLATE | CONN_FLAG.V6;

export class ConnStore {
  capacity = 0;
  count = 0;
  hnext = new Int32Array(0);
  caddr = new Uint32Array(0);
  vaddr = new Uint32Array(0);
  cport = new Uint16Array(0);
  vport = new Uint16Array(0);
  dport = new Uint16Array(0);
  proto = new Uint8Array(0);
  state = new Uint8Array(0);
  flags = new Uint16Array(0);
  dest = new Int32Array(0);
  control = new Int32Array(0);
  nControl = new Uint32Array(0);
  /** Current timeout in ms, re-armed on every packet (templates: on every new conn). */
  timeout = new Uint32Array(0);
  #buckets = new Int32Array(0);
  #mask = 0;
  #freeHead = -1;
  readonly #seed: number;

  constructor(initialCapacity: number, seed: number) {
    this.#seed = seed | 0;
    this.#grow(Math.max(16, 2 ** Math.ceil(Math.log2(Math.max(1, initialCapacity)))));
  }

  /** Allocate an entry id (fields are left for the caller to fill; flags = IN_USE). */
  alloc(): number {
    if (this.#freeHead < 0) this.#grow(this.capacity * 2);
    const id = this.#freeHead;
    this.#freeHead = this.hnext[id] ?? -1;
    this.hnext[id] = -1;
    this.flags[id] = CONN_FLAG.IN_USE;
    this.control[id] = -1;
    this.nControl[id] = 0;
    this.count++;
    return id;
  }

  free(id: number): void {
    this.flags[id] = 0;
    this.hnext[id] = this.#freeHead;
    this.#freeHead = id;
    this.count--;
  }

  inUse(id: number): boolean {
    return id >= 0 && id < this.capacity && ((this.flags[id] ?? 0) & CONN_FLAG.IN_USE) !== 0;
  }

  #hash(proto: number, caddr: number, cport: number, vaddr: number, vport: number, kf: number) {
    let h = Math.imul(caddr ^ this.#seed, 0x9e3779b1);
    h = Math.imul(h ^ (h >>> 15) ^ vaddr, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13) ^ ((cport << 16) | vport), 0xc2b2ae35);
    h ^= (proto << 8) | kf;
    h = Math.imul(h ^ (h >>> 16), 0x27d4eb2d);
    return (h ^ (h >>> 15)) & this.#mask;
  }

  #bucketOf(id: number): number {
    return this.#hash(
      this.proto[id] ?? 0,
      this.caddr[id] ?? 0,
      this.cport[id] ?? 0,
      this.vaddr[id] ?? 0,
      this.vport[id] ?? 0,
      (this.flags[id] ?? 0) & KEY_FLAGS,
    );
  }

  hash(id: number): void {
    const b = this.#bucketOf(id);
    this.hnext[id] = this.#buckets[b] ?? -1;
    this.#buckets[b] = id;
    this.flags[id] = (this.flags[id] ?? 0) | CONN_FLAG.HASHED;
  }

  unhash(id: number): void {
    const f = this.flags[id] ?? 0;
    if ((f & CONN_FLAG.HASHED) === 0) return;
    const b = this.#bucketOf(id);
    let cur = this.#buckets[b] ?? -1;
    let prev = -1;
    while (cur >= 0 && cur !== id) {
      prev = cur;
      cur = this.hnext[cur] ?? -1;
    }
    if (cur === id) {
      const next = this.hnext[id] ?? -1;
      if (prev < 0) this.#buckets[b] = next;
      else this.hnext[prev] = next;
    }
    this.hnext[id] = -1;
    this.flags[id] = f & ~CONN_FLAG.HASHED;
  }

  lookup(k: ConnKey): number {
    const kf = k.keyFlags & KEY_FLAGS;
    let id = this.#buckets[this.#hash(k.proto, k.caddr, k.cport, k.vaddr, k.vport, kf)] ?? -1;
    while (id >= 0) {
      if (
        this.caddr[id] === k.caddr &&
        this.cport[id] === k.cport &&
        this.vaddr[id] === k.vaddr &&
        this.vport[id] === k.vport &&
        this.proto[id] === k.proto &&
        ((this.flags[id] ?? 0) & KEY_FLAGS) === kf
      ) {
        return id;
      }
      id = this.hnext[id] ?? -1;
    }
    return -1;
  }

  /** Ids of all entries in use (snapshot order = id order). */
  *ids(): Generator<number> {
    for (let id = 0; id < this.capacity; id++) {
      if (((this.flags[id] ?? 0) & CONN_FLAG.IN_USE) !== 0) yield id;
    }
  }

  /** Bytes held by the typed arrays (for the memory benchmark). */
  get byteSize(): number {
    const arrays = [this.hnext, this.caddr, this.vaddr, this.cport, this.vport, this.dport];
    const more = [this.proto, this.state, this.flags, this.dest, this.control, this.nControl];
    return [...arrays, ...more, this.timeout, this.#buckets].reduce((n, a) => n + a.byteLength, 0);
  }

  #grow(capacity: number): void {
    const old = this.capacity;
    const copy = <T extends Int32Array | Uint32Array | Uint16Array | Uint8Array>(
      a: T,
      make: (n: number) => T,
    ): T => {
      const b = make(capacity);
      b.set(a);
      return b;
    };
    this.hnext = copy(this.hnext, (n) => new Int32Array(n));
    this.caddr = copy(this.caddr, (n) => new Uint32Array(n));
    this.vaddr = copy(this.vaddr, (n) => new Uint32Array(n));
    this.cport = copy(this.cport, (n) => new Uint16Array(n));
    this.vport = copy(this.vport, (n) => new Uint16Array(n));
    this.dport = copy(this.dport, (n) => new Uint16Array(n));
    this.proto = copy(this.proto, (n) => new Uint8Array(n));
    this.state = copy(this.state, (n) => new Uint8Array(n));
    this.flags = copy(this.flags, (n) => new Uint16Array(n));
    this.dest = copy(this.dest, (n) => new Int32Array(n));
    this.control = copy(this.control, (n) => new Int32Array(n));
    this.nControl = copy(this.nControl, (n) => new Uint32Array(n));
    this.timeout = copy(this.timeout, (n) => new Uint32Array(n));
    this.capacity = capacity;
    // One bucket per entry: chains stay short without the cost of a sparser index.
    this.#buckets = new Int32Array(capacity).fill(-1);
    this.#mask = capacity - 1;
    for (let id = 0; id < old; id++) {
      if (((this.flags[id] ?? 0) & CONN_FLAG.HASHED) !== 0) {
        const b = this.#bucketOf(id);
        this.hnext[id] = this.#buckets[b] ?? -1;
        this.#buckets[b] = id;
      }
    }
    // New ids go on the free list in ascending order.
    for (let id = capacity - 1; id >= old; id--) {
      this.hnext[id] = this.#freeHead;
      this.#freeHead = id;
    }
  }
}
