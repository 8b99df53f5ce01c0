import type { Dispatcher } from 'undici';

/** Where an upstream body goes: each chunk as it arrives, then its end or the error that cut it. */
export type BodySink = { data(chunk: Buffer): void; end(): void; error(error: Error): void };

export type UpstreamResponse = { statusCode: number; headers: Record<string, string | string[] | undefined>; body: UpstreamBody };

type Controller = Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestStart']>>[0];

/**
 * A response body handed from undici's parser straight to one sink, with no stream object in
 * between: undici's `request()` wraps every body in a Readable, whose buffering, events and ticks
 * cost the data plane more than the relay itself. Chunks that arrive before the sink is attached
 * (a small body comes in the same socket read as its headers) wait in a list, by reference.
 */
export class UpstreamBody {
  #controller: Controller;
  #sink: BodySink | undefined;
  #waiting: Buffer[] = [];
  #ended = false;
  #error: Error | undefined;

  constructor(controller: Controller) {
    this.#controller = controller;
  }

  /** Sends every chunk, then the end or the error, to `sink`; what already arrived goes at once. */
  pipeTo(sink: BodySink): void {
    this.#sink = sink;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const chunk of waiting) sink.data(chunk);
    if (this.#error) sink.error(this.#error);
    else if (this.#ended) sink.end();
  }

  /** The whole body, cut at `maxBytes` (the rest is read and dropped). */
  readAll(maxBytes: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      this.pipeTo({
        data(chunk) {
          if (size < maxBytes) chunks.push(chunk);
          size += chunk.length;
        },
        end: () => resolve(Buffer.concat(chunks).subarray(0, maxBytes)),
        error: reject,
      });
    });
  }

  /** Reads the body to its end and drops it, so the connection can carry the next request. */
  dump(): Promise<void> {
    return this.readAll(0).then(() => {});
  }

  /** TCP back-pressure: the client reads slower than the provider writes. */
  pause(): void {
    this.#controller.pause();
  }

  resume(): void {
    this.#controller.resume();
  }

  chunk(chunk: Buffer): void {
    if (this.#sink) this.#sink.data(chunk);
    else this.#waiting.push(chunk);
  }

  end(): void {
    this.#ended = true;
    this.#sink?.end();
  }

  fail(error: Error): void {
    if (this.#ended || this.#error) return;
    this.#error = error;
    this.#sink?.error(error);
  }
}

/**
 * One request to a provider through undici's dispatcher, as a handler of its own: the promise
 * settles with the status and headers, the body follows through `UpstreamBody`. `abort()` cuts the
 * request at any point, also before it reached a connection.
 */
export class UpstreamExchange implements Dispatcher.DispatchHandler {
  readonly response: Promise<UpstreamResponse>;
  #resolve!: (response: UpstreamResponse) => void;
  #reject!: (error: Error) => void;
  #controller: Controller | undefined;
  #body: UpstreamBody | undefined;
  #abortReason: Error | undefined;

  constructor(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions) {
    this.response = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    dispatcher.dispatch(options, this);
  }

  abort(reason: Error): void {
    if (this.#abortReason) return;
    this.#abortReason = reason;
    if (this.#controller) this.#controller.abort(reason);
    // Not yet on a connection: undici starts the request only when one is free, and it is refused then.
    else this.#reject(reason);
  }

  onRequestStart(controller: Controller): void {
    this.#controller = controller;
    if (this.#abortReason) controller.abort(this.#abortReason);
  }

  onResponseStart(controller: Controller, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    if (statusCode < 200) return; // 1xx: the answer is still to come
    this.#body = new UpstreamBody(controller);
    this.#resolve({ statusCode, headers, body: this.#body });
  }

  onResponseData(_controller: Controller, chunk: Buffer): void {
    this.#body?.chunk(chunk);
  }

  onResponseEnd(): void {
    this.#body?.end();
  }

  onResponseError(_controller: Controller | null, error: Error): void {
    if (this.#body) this.#body.fail(error);
    else this.#reject(error);
  }
}
