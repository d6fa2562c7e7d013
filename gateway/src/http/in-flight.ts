/**
 * A bound on the ledger requests a gateway works on at once. Past it, a request is answered 503
 * at once instead of joining the queue: offered more than the ledger commits, an unbounded queue
 * makes every answer (and every checkpoint behind it) wait longer the longer the load lasts, and
 * open connections pile up past the listen backlog until the kernel resets new ones.
 */
export class InFlightLimit {
  readonly #max: number;
  #count = 0;

  constructor(max: number) {
    this.#max = max;
  }

  /** Takes a place, or returns undefined when every place is taken; the release gives it back once. */
  enter(): (() => void) | undefined {
    if (this.#count >= this.#max) return undefined;
    this.#count++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#count--;
    };
  }
}
