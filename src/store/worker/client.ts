import type { Worker } from 'node:worker_threads';
import { startBackgroundWorker } from '../../background-thread.ts';
import { fromWorkerError, type WorkerMethod, type WorkerOptions, type WorkerReply } from './protocol.ts';

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/**
 * Request/reply over one worker's message port. The worker is unref'd while nothing is in flight, so an
 * idle store never keeps the process alive, and ref'd while a request is pending, so none is dropped.
 */
export class WorkerClient {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #failure: Error | undefined;

  private constructor(worker: Worker) {
    this.#worker = worker;
  }

  static start(options: WorkerOptions): Promise<WorkerClient> {
    const worker = startBackgroundWorker(new URL('./host.ts', import.meta.url), options);
    const client = new WorkerClient(worker);
    return new Promise((resolve, reject) => {
      worker.once('message', (first: WorkerReply) => {
        if ('ready' in first && first.ready) {
          worker.on('message', (message: WorkerReply) => client.#settle(message));
          worker.unref();
          resolve(client);
        } else if ('restart' in first) {
          worker.once('exit', () => resolve(WorkerClient.start({ ...options, restarted: true })));
        } else {
          reject('error' in first ? fromWorkerError(first.error) : new Error('store worker did not start'));
        }
      });
      worker.on('error', (error) => {
        client.#fail(error);
        reject(error);
      });
      worker.on('exit', (code) => client.#fail(new Error(`store worker exited (code ${code})`)));
    });
  }

  /** No request is in flight. */
  get idle(): boolean {
    return this.#pending.size === 0;
  }

  call<T>(method: WorkerMethod, args: unknown[] = []): Promise<T> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    if (this.#pending.size === 0) this.#worker.ref();
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#worker.postMessage({ id, method, args });
    });
  }

  #settle(message: WorkerReply): void {
    if (!('id' in message)) return;
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    if (this.#pending.size === 0) this.#worker.unref();
    if (message.ok) pending.resolve(message.result);
    else pending.reject(fromWorkerError(message.error));
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }

  /** Closes the database in the worker, then waits for the thread to end. */
  async close(): Promise<void> {
    if (this.#failure) return;
    const exited = new Promise((resolve) => this.#worker.once('exit', resolve));
    await this.call('close');
    this.#worker.ref();
    await exited;
  }
}
