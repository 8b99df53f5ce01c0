import type { CallRecord } from './call-record.ts';
import type { Recorder } from './recorder.ts';

/** Keeps the most recent calls in memory. The store (issue 4) replaces it as the durable recorder. */
export class MemoryRecorder implements Recorder {
  readonly calls: CallRecord[] = [];
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  record(call: CallRecord): Promise<void> {
    this.calls.push(call);
    if (this.calls.length > this.#limit) this.calls.splice(0, this.calls.length - this.#limit);
    return Promise.resolve();
  }
}
