/** Messages between the store's proxy (main thread, worker/store.ts) and the thread hosting it (worker/host.ts). */
export type WorkerMethod = 'migrate' | 'insertCalls' | 'ingestJournal' | 'usage' | 'listCalls' | 'getCall' | 'listSessions' | 'listToolCalls' | 'purgeStep' | 'close';

/**
 * `role` (SQLite): 'writer' and 'reader' are the two connections of a file store, 'single' one connection
 * doing both (`:memory:`; PostgreSQL, whose pool gives concurrency by itself).
 */
export type WorkerOptions = {
  url: string; role: 'writer' | 'reader' | 'single'; poolSize?: number;
  /** Started again because the first thread compiled TypeScript (host.ts): it does not ask twice. */
  restarted?: boolean;
};

export type WorkerRequest = { id: number; method: WorkerMethod; args: unknown[] };

export type WorkerError = { name: string; message: string; code?: string };

export type WorkerReply =
  | { ready: true }
  | { ready: false; error: WorkerError }
  | { ready: false; restart: true }
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: WorkerError };

export function toWorkerError(error: unknown): WorkerError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) };
}

export function fromWorkerError(error: WorkerError): Error {
  return Object.assign(new Error(error.message), { name: error.name, ...(error.code === undefined ? {} : { code: error.code }) });
}
