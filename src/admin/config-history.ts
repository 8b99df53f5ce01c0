import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The history of config saves, single node: `history.jsonl` (one line per save: who, when, what kind)
 * plus one snapshot file per save holding the whole text as written, under `<data_dir>/config-history/`.
 * Snapshots hold secrets like the config file itself, so they are written owner-only (0600) and are
 * redacted before any of them leaves the server.
 */
export type HistoryEntry = {
  id: string;
  at: number;
  /** Who saved: an identity login, or `(file)` for the text found on disk before the first save. */
  login: string;
  action: 'initial' | 'save' | 'restore';
  version: string;
  /** For a restore: the entry whose text was restored. */
  restoredFrom?: string;
};

export type ConfigHistory = {
  list(): Promise<HistoryEntry[]>;
  text(id: string): Promise<string | undefined>;
  add(entry: Omit<HistoryEntry, 'id' | 'at'>, text: string): Promise<HistoryEntry>;
};

export function openConfigHistory(dir: string): ConfigHistory {
  const log = join(dir, 'history.jsonl');
  const snapshot = (id: string) => join(dir, `${id}.hujson`);
  return {
    async list() {
      let text: string;
      try {
        text = await readFile(log, 'utf8');
      } catch {
        return [];
      }
      const entries: HistoryEntry[] = [];
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        try {
          entries.push(JSON.parse(line) as HistoryEntry);
        } catch {
          // A torn last line (crash mid-append) loses only that entry.
        }
      }
      return entries;
    },
    async text(id) {
      if (!/^[\w-]+$/.test(id)) return undefined;
      try {
        return await readFile(snapshot(id), 'utf8');
      } catch {
        return undefined;
      }
    },
    async add(partial, text) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const entry: HistoryEntry = { id: `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`, at: Date.now(), ...partial };
      // Snapshot first: a log line never points at a missing snapshot.
      await writeFile(snapshot(entry.id), text, { mode: 0o600 });
      await appendFile(log, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
      return entry;
    },
  };
}
