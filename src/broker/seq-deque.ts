/**
 * A queue's ready messages in seq order: a ring buffer, so taking the head and appending are O(1),
 * while a requeued message goes back to its original place by binary search, shifting whichever
 * side is shorter (requeues land near the head, so that side is short).
 */
export class SeqDeque<T extends { readonly seq: number }> {
  private slots = new Array<T | undefined>(MIN_CAPACITY);
  private mask = MIN_CAPACITY - 1;
  private head = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  peek(): T | undefined {
    return this.count === 0 ? undefined : this.slots[this.head];
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    // Give a drained burst's memory back.
    if (--this.count === 0 && this.slots.length > SHRINK_ABOVE) this.clear();
    return item;
  }

  /** Puts `item` after every item with a lower seq. */
  insert(item: T): void {
    if (this.count === this.slots.length) this.grow();
    const at = this.count === 0 || this.at(this.count - 1).seq < item.seq ? this.count : this.lowerBound(item.seq);
    const slots = this.slots;
    const mask = this.mask;
    if (at < this.count >> 1) {
      this.head = (this.head - 1) & mask;
      for (let i = 0; i < at; i++) slots[(this.head + i) & mask] = slots[(this.head + i + 1) & mask];
    } else {
      for (let i = this.count; i > at; i--) slots[(this.head + i) & mask] = slots[(this.head + i - 1) & mask];
    }
    slots[(this.head + at) & mask] = item;
    this.count++;
  }

  find(seq: number): T | undefined {
    const at = this.lowerBound(seq);
    return at < this.count && this.at(at).seq === seq ? this.at(at) : undefined;
  }

  /** Takes out the item with `seq`, if present. */
  remove(seq: number): T | undefined {
    const at = this.lowerBound(seq);
    if (at === this.count || this.at(at).seq !== seq) return undefined;
    const item = this.at(at);
    const slots = this.slots;
    const mask = this.mask;
    if (at < this.count >> 1) {
      for (let i = at; i > 0; i--) slots[(this.head + i) & mask] = slots[(this.head + i - 1) & mask];
      slots[this.head] = undefined;
      this.head = (this.head + 1) & mask;
    } else {
      for (let i = at; i < this.count - 1; i++) slots[(this.head + i) & mask] = slots[(this.head + i + 1) & mask];
      slots[(this.head + this.count - 1) & mask] = undefined;
    }
    this.count--;
    return item;
  }

  clear(): void {
    this.slots = new Array<T | undefined>(MIN_CAPACITY);
    this.mask = MIN_CAPACITY - 1;
    this.head = 0;
    this.count = 0;
  }

  /** The items in order, as a new array (two native copies of the ring). */
  toArray(): T[] {
    const end = this.head + this.count;
    if (end <= this.slots.length) return this.slots.slice(this.head, end) as T[];
    return this.slots.slice(this.head).concat(this.slots.slice(0, end & this.mask)) as T[];
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.count; i++) yield this.at(i);
  }

  private at(index: number): T {
    return this.slots[(this.head + index) & this.mask]!;
  }

  /** The first index whose seq is not below `seq`. */
  private lowerBound(seq: number): number {
    let low = 0;
    let high = this.count;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.at(middle).seq < seq) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private grow(): void {
    const slots = new Array<T | undefined>(this.slots.length * 2);
    for (let i = 0; i < this.count; i++) slots[i] = this.at(i);
    this.slots = slots;
    this.mask = slots.length - 1;
    this.head = 0;
  }
}

const MIN_CAPACITY = 16;
const SHRINK_ABOVE = 1024;
