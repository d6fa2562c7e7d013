/**
 * Answers an interface that promises a result with work that happens to be synchronous. As in an
 * async function, a throw rejects the promise rather than escaping to the caller.
 */
export function promised<T>(work: () => T): Promise<T> {
  return new Promise((resolve) => {
    resolve(work());
  });
}
