/** Messages between the SQLite store's proxy (main thread) and its worker. */
export type WorkerMethod = 'migrate' | 'insertCalls' | 'usage' | 'listCalls' | 'getCall' | 'listSessions' | 'listToolCalls' | 'purgeStep' | 'close';

export type WorkerOptions = { path: string; readOnly: boolean };

export type WorkerRequest = { id: number; method: WorkerMethod; args: unknown[] };

export type WorkerError = { name: string; message: string; code?: string };

export type WorkerReply =
  | { ready: true }
  | { ready: false; error: WorkerError }
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
