/**
 * A server stream that maps each event of a service stream to its wire message, as one small
 * object: an `async *` handler that only maps would keep a generator frame, its request queue
 * and a promise chain per open stream (thousands of idle WatchState streams hold little else).
 */

/** The events of the stream `source` resolves to, each passed through `map`. */
export class MappedStream<T, U> implements AsyncIterableIterator<U> {
  private iterator: AsyncIterator<T> | undefined;

  constructor(
    private readonly source: Promise<AsyncIterator<T>>,
    private readonly map: (event: T) => U,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<U>> {
    const iterator = this.iterator;
    if (!iterator) {
      return this.source.then((started) => {
        this.iterator = started;
        return this.next();
      });
    }
    return iterator.next().then((result) => this.mapped(result));
  }

  /** Ends the service stream (its `finally` releases what it holds). */
  async return(): Promise<IteratorResult<U>> {
    await this.iterator?.return?.(undefined);
    return { done: true, value: undefined };
  }

  private mapped(result: IteratorResult<T>): IteratorResult<U> {
    return result.done ? { done: true, value: undefined } : { done: false, value: this.map(result.value) };
  }
}
