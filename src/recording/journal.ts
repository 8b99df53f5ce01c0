import { write } from 'node:fs';
import { mkdir, open, readdir, readFile, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { CallRecord } from './call-record.ts';

const segmentLimitBytes = 16 * 1024 * 1024;
const segmentName = (sequence: number) => `calls-${String(sequence).padStart(12, '0')}.ndjson`;
const segmentPattern = /^calls-(\d{12})\.ndjson$/;

type Segment = { sequence: number; appended: number; committed: number; closed: boolean; bytes: number };

/**
 * A local append-only journal of finished calls: the line is in the kernel before the client gets its
 * last byte, so `kill -9` loses no completed call (the page cache outlives the process). Appends
 * from concurrent calls share one write (group commit). A segment is deleted once every call in it
 * is in the store; segments left by a crash are replayed at start (the store's insert is idempotent).
 */
export class Journal {
  readonly #dir: string;
  #file: FileHandle | undefined;
  #current: Segment | undefined;
  readonly #segments = new Map<number, Segment>();
  #buffer: string[] = [];
  #waiters: { resolve: (segment: number) => void; reject: (error: unknown) => void }[] = [];
  #flushing = false;
  #bytesOnDisk = 0;

  private constructor(dir: string) {
    this.#dir = dir;
  }

  /** Opens the journal; `leftovers` are segments earlier runs journaled but may not have stored. */
  static async open(dir: string): Promise<{ journal: Journal; leftovers: number[] }> {
    await mkdir(dir, { recursive: true });
    const journal = new Journal(dir);
    const leftovers: number[] = [];
    for (const name of (await readdir(dir)).sort()) {
      const match = segmentPattern.exec(name);
      if (!match) continue;
      const sequence = Number(match[1]);
      const { size } = await stat(join(dir, name));
      journal.#segments.set(sequence, { sequence, appended: Number.POSITIVE_INFINITY, committed: 0, closed: true, bytes: size });
      journal.#bytesOnDisk += size;
      leftovers.push(sequence);
    }
    await journal.#startSegment((leftovers.at(-1) ?? 0) + 1);
    return { journal, leftovers };
  }

  /** Starts a new segment so the current one can be replayed from disk and deleted. */
  async rotate(): Promise<void> {
    while (this.#flushing) await new Promise((resolve) => setImmediate(resolve));
    await this.#startSegment(this.#current!.sequence + 1);
  }

  get currentSegment(): number {
    return this.#current!.sequence;
  }

  /** Bytes of journal not yet known to be in the store: the spool. */
  get spoolBytes(): number {
    return this.#bytesOnDisk;
  }

  /** Appends a call (as `JSON.stringify(record)`); resolves with the segment the line went to, once it is written. */
  append(json: string): Promise<number> {
    this.#buffer.push(`${json}\n`);
    const written = new Promise<number>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    // Write once this turn of the event loop is done, so every call that finished in it shares the
    // write (one write per turn instead of one per call: each wakes a libuv thread); lines arriving
    // during a write go together in the next one.
    if (!this.#flushing) {
      this.#flushing = true;
      setImmediate(() => void this.#flush());
    }
    return written;
  }

  /** `count` calls of `sequence` are now in the store. */
  async commit(sequence: number, count: number): Promise<void> {
    const segment = this.#segments.get(sequence);
    if (!segment) return;
    segment.committed += count;
    if (segment.closed && segment.committed >= segment.appended) await this.#remove(segment);
  }

  /** Replays a closed segment from disk (after the in-memory copies were dropped), then it can go. */
  async read(sequence: number): Promise<CallRecord[]> {
    return parseLines(await readFile(join(this.#dir, segmentName(sequence)), 'utf8'));
  }

  /** Closed segments whose calls are not all known to be stored. */
  closedSegments(): number[] {
    return [...this.#segments.values()].filter((segment) => segment.closed).map((segment) => segment.sequence);
  }

  async forget(sequence: number): Promise<void> {
    const segment = this.#segments.get(sequence);
    if (segment?.closed) await this.#remove(segment);
  }

  async close(): Promise<void> {
    while (this.#flushing) await new Promise((resolve) => setImmediate(resolve));
    await this.#file?.close();
    this.#file = undefined;
  }

  async #flush(): Promise<void> {
    while (this.#buffer.length > 0) {
      const lines = this.#buffer.join('');
      const waiters = this.#waiters;
      this.#buffer = [];
      this.#waiters = [];
      try {
        const segment = this.#current!;
        await writeAll(this.#file!.fd, lines);
        const bytes = Buffer.byteLength(lines);
        segment.bytes += bytes;
        segment.appended += waiters.length;
        this.#bytesOnDisk += bytes;
        for (const waiter of waiters) waiter.resolve(segment.sequence);
        if (segment.bytes >= segmentLimitBytes) await this.#startSegment(segment.sequence + 1);
      } catch (error) {
        for (const waiter of waiters) waiter.reject(error);
      }
    }
    this.#flushing = false;
  }

  async #startSegment(sequence: number): Promise<void> {
    if (this.#current) this.#current.closed = true;
    await this.#file?.close();
    this.#file = await open(join(this.#dir, segmentName(sequence)), 'a');
    this.#current = { sequence, appended: 0, committed: 0, closed: false, bytes: 0 };
    this.#segments.set(sequence, this.#current);
    const previous = this.#segments.get(sequence - 1);
    if (previous && previous.committed >= previous.appended) await this.#remove(previous);
  }

  async #remove(segment: Segment): Promise<void> {
    if (!this.#segments.delete(segment.sequence)) return;
    this.#bytesOnDisk -= segment.bytes;
    await unlink(join(this.#dir, segmentName(segment.sequence))).catch(() => {});
  }
}

/** fs.write with a callback: one libuv request, lighter than FileHandle's promise machinery. */
function writeAll(fd: number, text: string): Promise<void> {
  return new Promise((resolve, reject) => write(fd, text, null, 'utf8', (error) => (error ? reject(error) : resolve())));
}

/** A torn last line (the crash hit mid-write) is skipped; every complete line is a call. */
function parseLines(text: string): CallRecord[] {
  const records: CallRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      records.push(JSON.parse(line) as CallRecord);
    } catch {
      // the torn tail of a crashed write: its call never completed for the client
    }
  }
  return records;
}
