/**
 * Runs tasks one after another per key, and tasks of different keys side by side: what a single
 * gateway process needs to count-then-write, or to stop-then-remove, without a second request
 * slipping in between.
 */
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    // Tails never reject, so each task runs once the one before it has settled, whichever way.
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}
