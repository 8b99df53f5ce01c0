import { writev } from 'node:fs';
import { mkdir, open, readdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

const segmentLimitBytes = 16 * 1024 * 1024;
const segmentName = (sequence: number) => `calls-${String(sequence).padStart(12, '0')}.journal`;
// `.ndjson`: segments of earlier versions (records only, one per line), still read after an upgrade.
const segmentPattern = /^calls-(\d{12})\.(journal|ndjson)$/;

type Segment = { sequence: number; file: string; closed: boolean; bytes: number; consumed: number };

/** The unstored part of one segment, oldest first: what the store reads next (journal-frame.ts). */
export type Backlog = { sequence: number; file: string; from: number; to: number };

/**
 * A local append-only journal of finished calls, captures included (journal-frame.ts): a frame is in
 * the kernel before the client gets its last byte, so `kill -9` loses no completed call (the page
 * cache outlives the process). Appends from concurrent calls share one write (group commit). The store
 * reads the journal behind the writes at its own pace, so a slow or failing store leaves calls here on
 * disk rather than in memory; a segment is deleted once it is closed and all of it is stored. Segments
 * left by a crash are read again at start (the store's insert is idempotent).
 */
export class Journal {
  readonly #dir: string;
  #file: FileHandle | undefined;
  #current: Segment | undefined;
  readonly #segments = new Map<number, Segment>();
  #buffer: Buffer[] = [];
  #waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  #flushing = false;
  #bytesOnDisk = 0;

  private constructor(dir: string) {
    this.#dir = dir;
  }

  /** Opens the journal; segments earlier runs left (not known to be stored) are the first backlog. */
  static async open(dir: string): Promise<Journal> {
    await mkdir(dir, { recursive: true });
    const journal = new Journal(dir);
    let last = 0;
    for (const name of (await readdir(dir)).sort()) {
      const match = segmentPattern.exec(name);
      if (!match) continue;
      const sequence = Number(match[1]);
      const file = join(dir, name);
      const { size } = await stat(file);
      journal.#segments.set(sequence, { sequence, file, closed: true, bytes: size, consumed: 0 });
      journal.#bytesOnDisk += size;
      last = sequence;
    }
    await journal.#startSegment(last + 1);
    return journal;
  }

  /** Bytes of journal files on disk (what the spool limit bounds). */
  get bytesOnDisk(): number {
    return this.#bytesOnDisk;
  }

  /** Bytes journaled and not yet stored: the spool. */
  get spoolBytes(): number {
    let bytes = 0;
    for (const segment of this.#segments.values()) bytes += segment.bytes - segment.consumed;
    return bytes;
  }

  /** Appends one call's frame (journal-frame.ts); resolves once it is written. */
  append(frame: readonly Buffer[]): Promise<void> {
    for (const part of frame) this.#buffer.push(part);
    const written = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    // Write once this turn of the event loop is done, so every call that finished in it shares the
    // write (one write per turn instead of one per call: each wakes a libuv thread); frames arriving
    // during a write go together in the next one.
    if (!this.#flushing) {
      this.#flushing = true;
      setImmediate(() => void this.#flush());
    }
    return written;
  }

  /** The oldest written bytes the store has not taken yet. */
  backlog(): Backlog | undefined {
    for (const segment of [...this.#segments.values()].sort((a, b) => a.sequence - b.sequence)) {
      if (segment.consumed < segment.bytes) {
        return { sequence: segment.sequence, file: segment.file, from: segment.consumed, to: segment.bytes };
      }
    }
    return undefined;
  }

  /** Everything before `end` in `sequence` is stored; a closed segment stored to its end is deleted. */
  async consumed(sequence: number, end: number): Promise<void> {
    const segment = this.#segments.get(sequence);
    if (!segment) return;
    segment.consumed = Math.max(segment.consumed, end);
    if (segment.closed && segment.consumed >= segment.bytes) await this.#remove(segment);
  }

  /** Gives up on the rest of a segment (a frame that cannot be read, e.g. a torn tail); writing goes on in a new one. */
  async abandon(sequence: number): Promise<void> {
    if (sequence === this.#current?.sequence) await this.rotate();
    const segment = this.#segments.get(sequence);
    if (segment) await this.#remove(segment);
  }

  /** Starts a new segment, so the current one can be deleted once stored. */
  async rotate(): Promise<void> {
    while (this.#flushing) await new Promise((resolve) => setImmediate(resolve));
    await this.#startSegment(this.#current!.sequence + 1);
  }

  async close(): Promise<void> {
    while (this.#flushing) await new Promise((resolve) => setImmediate(resolve));
    await this.#file?.close();
    this.#file = undefined;
  }

  async #flush(): Promise<void> {
    while (this.#buffer.length > 0) {
      const parts = this.#buffer;
      const waiters = this.#waiters;
      this.#buffer = [];
      this.#waiters = [];
      const segment = this.#current!;
      try {
        const bytes = await writeAll(this.#file!.fd, parts);
        segment.bytes += bytes;
        this.#bytesOnDisk += bytes;
        for (const waiter of waiters) waiter.resolve();
        if (segment.bytes >= segmentLimitBytes) await this.#startSegment(segment.sequence + 1);
      } catch (error) {
        for (const waiter of waiters) waiter.reject(error);
        // A failed write may have left part of a frame: later frames go to a new segment, so the
        // store never reads past the damage (it reads only up to `bytes`, the last whole write).
        await this.#startSegment(segment.sequence + 1).catch(() => {});
      }
    }
    this.#flushing = false;
  }

  async #startSegment(sequence: number): Promise<void> {
    const file = join(this.#dir, segmentName(sequence));
    const handle = await open(file, 'a'); // first: if it fails, writing goes on where it was
    if (this.#current) this.#current.closed = true;
    await this.#file?.close();
    this.#file = handle;
    this.#current = { sequence, file, closed: false, bytes: 0, consumed: 0 };
    this.#segments.set(sequence, this.#current);
    const previous = this.#segments.get(sequence - 1);
    if (previous && previous.consumed >= previous.bytes) await this.#remove(previous);
  }

  async #remove(segment: Segment): Promise<void> {
    if (!this.#segments.delete(segment.sequence)) return;
    this.#bytesOnDisk -= segment.bytes;
    await unlink(segment.file).catch(() => {});
  }
}

/** fs.writev with a callback: one libuv request for every frame of the turn, lighter than FileHandle's promise machinery. */
function writeAll(fd: number, parts: Buffer[]): Promise<number> {
  return new Promise((resolve, reject) => writev(fd, parts, (error, written) => (error ? reject(error) : resolve(written))));
}
