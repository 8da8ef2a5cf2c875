// Running means of a training run's values over one logging interval (metrics.jsonl's lines).
/** Running means over one logging interval. */
export class IntervalMeans {
  private sums = new Map<string, { total: number; count: number }>();

  add(name: string, value: number): void {
    const entry = this.sums.get(name) ?? { total: 0, count: 0 };
    entry.total += value;
    entry.count += 1;
    this.sums.set(name, entry);
  }

  mean(name: string): number {
    const entry = this.sums.get(name);
    return entry && entry.count > 0 ? entry.total / entry.count : NaN;
  }

  /** Every mean of the interval, by name. */
  means(): Record<string, number> {
    return Object.fromEntries([...this.sums.keys()].map((name) => [name, this.mean(name)]));
  }

  reset(): void {
    this.sums.clear();
  }
}
