// The thread a store runs in. node:sqlite is synchronous and pg serialises every batch's parameters and
// parses every result on the thread that calls it; either would hold up the gateway's event loop, so
// the main thread only posts messages (worker/store.ts) and all SQL work happens here.
import { parentPort, workerData } from 'node:worker_threads';
import { compiledTypeScript, runInBackground } from '../../background-thread.ts';
import { sqlitePath } from '../storage-url.ts';
import type { Executor } from '../sql/executor.ts';
import { SqlStore } from '../sql-store.ts';
import { SqliteExecutor } from '../sqlite/executor.ts';
import type { CallRecord } from '../../recording/call-record.ts';
import type { StoredCall } from '../store.ts';
import { toWorkerError, type WorkerOptions, type WorkerReply, type WorkerRequest } from './protocol.ts';

// How often the SQLite writer checkpoints the WAL after writing.
const CHECKPOINT_EVERY_MS = 5000;

const port = parentPort!;
const reply = (message: WorkerReply) => port.postMessage(message);
const options = workerData as WorkerOptions | 'compile only';
// pg is loaded only for a PostgreSQL store: a SQLite gateway's thread never needs it.
const loadPostgres = () => import('../postgres/executor.ts');
// bin/tailgate.js starts the thread once just to fill the compile cache with these modules.
if (options === 'compile only') {
  await loadPostgres();
  process.exit(0);
}
const postgres = options.url.startsWith('sqlite:') ? undefined : await loadPostgres();
// Every module is loaded now. If this start had to compile one, the client starts a fresh thread (client.ts).
if (!options.restarted && compiledTypeScript()) {
  reply({ ready: false, restart: true });
  process.exit(0);
}
runInBackground();

let executor: Executor;
let store: SqlStore;
try {
  const file = sqlitePath(options.url);
  executor = file !== undefined ? new SqliteExecutor(file, { role: options.role }) : postgres!.PostgresExecutor.open(options.url, { max: options.poolSize });
  store = new SqlStore(executor);
  reply({ ready: true });
} catch (error) {
  reply({ ready: false, error: toWorkerError(error) });
  process.exit(1);
}

// SQLite: one request at a time, so a transaction's statements never interleave with another request's
// on the one connection. PostgreSQL: requests run side by side, each transaction on its own pooled client.
const serial = executor.dialect.name === 'sqlite';
let queue = Promise.resolve();
port.on('message', (request: WorkerRequest) => {
  if (serial) queue = queue.then(() => handle(request));
  else void handle(request);
});

// The SQLite writer copies the WAL back into the database file every few seconds, between its own
// transactions and only after it wrote (sqlite/executor.ts explains why not at every commit).
const writes = new Set<WorkerRequest['method']>(['migrate', 'insertCalls', 'ingestJournal', 'purgeStep']);
let wrote = false;
if (executor instanceof SqliteExecutor && options.role === 'writer') {
  const sqlite = executor;
  const timer = setInterval(() => {
    if (!wrote) return;
    wrote = false;
    queue = queue.then(() => sqlite.checkpoint()).catch(() => {
      wrote = true; // tried again on the next tick
    });
  }, CHECKPOINT_EVERY_MS);
  timer.unref();
  port.once('close', () => clearInterval(timer));
}

async function handle({ id, method, args }: WorkerRequest): Promise<void> {
  if (writes.has(method)) wrote = true;
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
    case 'insertCalls': return store.insertCalls(storedCalls(a[0] as string, a[1] as (StoredCall['captures'] | null)[]));
    case 'ingestJournal': return store.ingestJournal(a[0] as string, a[1] as number, a[2] as number, a[3] as number);
    case 'usage': return store.usage(a[0] as never, a[1] as never);
    case 'listCalls': return store.listCalls(a[0] as never, a[1] as never);
    case 'getCall': return store.getCall(a[0] as string);
    case 'listSessions': return store.listSessions(a[0] as never, a[1] as never);
    case 'listToolCalls': return store.listToolCalls(a[0] as never, a[1] as never);
    case 'purgeStep': return store.purgeStep(a[0] as number, a[1] as never, a[2] as number);
    case 'close': return store.close();
  }
}

/**
 * The calls as worker/store.ts sends them: the records as one JSON array, the captures beside them.
 * (Their Buffers arrive as plain Uint8Arrays, which both executors bind as blobs.)
 */
function storedCalls(records: string, captures: (StoredCall['captures'] | null)[]): StoredCall[] {
  return (JSON.parse(records) as CallRecord[]).map((record, index) => ({ record, captures: captures[index] ?? undefined }));
}
