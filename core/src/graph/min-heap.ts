/** A binary min-heap of ids ordered by a numeric key (a cell's notebook position). */
export class MinHeap {
  private readonly items: string[] = [];
  constructor(private readonly key: (id: string) => number) {}

  get size(): number {
    return this.items.length;
  }

  push(id: string): void {
    const items = this.items;
    items.push(id);
    let i = items.length - 1;
    const k = this.key(id);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.key(items[parent]!) <= k) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = id;
  }

  pop(): string | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    const k = this.key(last);
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && this.key(items[right]!) < this.key(items[left]!) ? right : left;
      if (this.key(items[child]!) >= k) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }
}
