import { join } from 'node:path';

export type StorageConfig = {
  /** `sqlite:PATH` (default, under the data dir), `postgres://…`, or `none` (calls are only logged). */
  readonly url: string;
  /** Where finished calls are journaled before the store has them. */
  readonly journalDir: string;
  /** Bytes of each request and response body kept in a capture; 0 under zero retention. */
  readonly captureMaxBytes: number;
};

export type RetentionConfig = {
  /** Captures of calls older than this are purged; undefined = kept forever. */
  readonly durationMs?: number;
  /** Aperture's `"duration": "0"`: bodies and headers are never written at all. */
  readonly zero: boolean;
  readonly purgeToolCalls: boolean;
};

type Problems = { warn(message: string): void; error(message: string): void };
type Json = Record<string, unknown>;

const object = (value: unknown): Json => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {});
const hour = 3_600_000;

/** `30d`, `720h`, `90m` → milliseconds. */
function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(d|h|m)$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * { d: 24 * hour, h: hour, m: 60_000 }[match[2] as 'd' | 'h' | 'm'];
}

/** Our `storage` key. */
export function readStorage(raw: unknown, problems: Problems, dataDir: string, retention: RetentionConfig): StorageConfig {
  const storage = object(raw);
  for (const key of Object.keys(storage)) if (!['url', 'journal_dir', 'capture_max_bytes'].includes(key)) problems.warn(`unknown config key "storage.${key}"`);
  let url = typeof storage.url === 'string' && storage.url ? storage.url : `sqlite:${join(dataDir, 'tailgate.db')}`;
  if (url !== 'none' && !/^(?:sqlite:|postgres(?:ql)?:\/\/)/.test(url)) {
    problems.error(`storage.url must start with sqlite: or postgres://, or be none`);
    url = `sqlite:${join(dataDir, 'tailgate.db')}`;
  }
  const capture = typeof storage.capture_max_bytes === 'number' && storage.capture_max_bytes >= 0 ? storage.capture_max_bytes : 4 * 1024 * 1024;
  return {
    url,
    journalDir: typeof storage.journal_dir === 'string' ? storage.journal_dir : join(dataDir, 'journal'),
    captureMaxBytes: retention.zero ? 0 : capture,
  };
}

/** Aperture's `database.retention` (aperture.md §2.10): `duration` "" = forever, "0" = zero retention, else 1h…3650d. */
export function readRetention(raw: unknown, problems: Problems): RetentionConfig {
  const retention = object(object(raw).retention);
  const duration = typeof retention.duration === 'string' ? retention.duration.trim() : '';
  const purge = Array.isArray(retention.purge) ? retention.purge : ['captures'];
  const purgeToolCalls = purge.includes('tools');
  if (duration === '') return { zero: false, purgeToolCalls };
  if (duration === '0') return { zero: true, durationMs: 0, purgeToolCalls };
  const ms = parseDuration(duration);
  if (ms === undefined || ms < hour || ms > 3650 * 24 * hour) {
    problems.warn(`database.retention.duration "${duration}" must be "", "0", or between 1h and 3650d (like "30d" or "720h"); keeping data forever`);
    return { zero: false, purgeToolCalls };
  }
  return { zero: false, durationMs: ms, purgeToolCalls };
}
