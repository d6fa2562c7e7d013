/** Answers counted by HTTP status, as drills report them. */
export class StatusTally {
  readonly #counts = new Map<number, number>();

  add(status: number): void {
    this.#counts.set(status, (this.#counts.get(status) ?? 0) + 1);
  }

  count(status: number): number {
    return this.#counts.get(status) ?? 0;
  }

  /** Answers whose status satisfies `test`. */
  countWhere(test: (status: number) => boolean): number {
    return [...this.#counts].reduce((sum, [status, n]) => sum + (test(status) ? n : 0), 0);
  }

  get total(): number {
    return this.countWhere(() => true);
  }

  get serverErrors(): number {
    return this.countWhere((status) => status >= 500);
  }

  /** `201×200, 400×3`, by status. */
  toString(): string {
    const parts = [...this.#counts].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n.toLocaleString('en-US')}`);
    return parts.length > 0 ? parts.join(', ') : 'none';
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.#counts].sort(([a], [b]) => a - b).map(([status, n]) => [String(status), n]));
  }
}
