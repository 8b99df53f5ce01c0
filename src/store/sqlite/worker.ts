// The SQLite store's thread. node:sqlite is synchronous, so every query runs here rather than on the
// gateway's event loop; the main thread only posts messages (sqlite/store.ts).
import { parentPort, workerData } from 'node:worker_threads';
import type { StoredCall } from '../store.ts';
import { SqlStore } from '../sql-store.ts';
import { SqliteExecutor } from './executor.ts';
import { toWorkerError, type WorkerOptions, type WorkerReply, type WorkerRequest } from './protocol.ts';

const port = parentPort!;
const reply = (message: WorkerReply) => port.postMessage(message);
const options = workerData as WorkerOptions;

let store: SqlStore;
try {
  store = new SqlStore(new SqliteExecutor(options.path, { readOnly: options.readOnly }));
  reply({ ready: true });
} catch (error) {
  reply({ ready: false, error: toWorkerError(error) });
  process.exit(1);
}

// One request at a time: a transaction's statements never interleave with another request's on this
// connection, however the store's async code is scheduled.
let queue = Promise.resolve();
port.on('message', (request: WorkerRequest) => {
  queue = queue.then(() => handle(request));
});

async function handle({ id, method, args }: WorkerRequest): Promise<void> {
  try {
    reply({ id, ok: true, result: await call(method, args) });
    if (method === 'close') port.close();
  } catch (error) {
    reply({ id, ok: false, error: toWorkerError(error) });
  }
}

// A closed list, not store[method]: a message can only reach what the Store interface offers.
function call(method: WorkerRequest['method'], a: unknown[]): Promise<unknown> {
  switch (method) {
    case 'migrate': return store.migrate();
    case 'insertCalls': return store.insertCalls(a[0] as StoredCall[]);
    case 'usage': return store.usage(a[0] as never, a[1] as never);
    case 'listCalls': return store.listCalls(a[0] as never, a[1] as never);
    case 'getCall': return store.getCall(a[0] as string);
    case 'listSessions': return store.listSessions(a[0] as never, a[1] as never);
    case 'listToolCalls': return store.listToolCalls(a[0] as never, a[1] as never);
    case 'purgeStep': return store.purgeStep(a[0] as number, a[1] as never, a[2] as number);
    case 'close': return store.close();
  }
}
