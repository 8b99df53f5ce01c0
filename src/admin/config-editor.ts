import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createAccessPolicy } from '../access/access.ts';
import type { Config, ConfigProblem } from '../config/config.ts';
import { loadConfigText, type Environment } from '../config/load.ts';
import type { Identity } from '../identity/identity.ts';
import { openConfigHistory, type HistoryEntry } from './config-history.ts';
import { isEmptyConfig, redactSecrets, restoreSecrets, versionOf } from './config-text.ts';
import { lineDiff, type DiffLine } from './line-diff.ts';

/** Where the editor finds and keeps the config. */
export type ConfigEditorOptions = {
  /** The file the gateway was started with; undefined = running on the built-in default. */
  path?: string;
  env: Environment;
  /** Where history lives, and where a first save writes the file when there is none. */
  dataDir: string;
  /** The text shown when there is no file yet (the built-in default, as HuJSON). */
  defaultText: () => string;
  /** Makes a saved config take effect at once (the gateway's setConfig). */
  apply: (config: Config) => Promise<void>;
};

export type SaveOutcome =
  | { ok: true; version: string; entry: HistoryEntry; path: string }
  | { ok: false; status: 400 | 404 | 409 | 422; message: string; problems?: ConfigProblem[]; version?: string };

/** The file a first save creates when the gateway runs without one; `tailgate serve` loads it next time. */
export function savedConfigPath(dataDir: string): string {
  return join(dataDir, 'tailgate.hujson');
}

export function createConfigEditor(options: ConfigEditorOptions) {
  let path = options.path;
  const history = openConfigHistory(join(options.dataDir, 'config-history'));
  // Saves are compared-and-swapped one at a time, so two admins saving at once cannot both win.
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => {});
    return next;
  };

  async function current(): Promise<{ text: string; fromFile: boolean }> {
    if (path === undefined) return { text: options.defaultText(), fromFile: false };
    return { text: await readFile(path, 'utf8'), fromFile: true };
  }

  /**
   * Every check a save makes (aperture.md §2.1): not empty, secrets resolvable, no error and — on save —
   * no warning either, and the saver keeps their own admin role (lockout guard).
   */
  function check(text: string, stored: string, saver: Identity | undefined): { text: string; config?: Config; problems: ConfigProblem[] } {
    if (isEmptyConfig(text)) return { text, problems: [{ severity: 'error', message: 'config must not be empty' }] };
    const restored = restoreSecrets(text, stored);
    const problems: ConfigProblem[] = restored.errors.map((message) => ({ severity: 'error', message }));
    const loaded = loadConfigText(restored.text, options.env);
    problems.push(...loaded.problems);
    if (loaded.config && saver) {
      const { grants, tempGrants, groups, identity } = loaded.config;
      const access = createAccessPolicy({ grants, tempGrants, groups, capability: identity.tailscale.capability }).accessFor(saver);
      if (access.role !== 'admin') {
        problems.push({ severity: 'error', message: `this config removes your own admin role (${saver.login}); saving it would lock you out — keep a grant that gives you role "admin"` });
      }
    }
    return { text: restored.text, config: loaded.config, problems };
  }

  async function writeAtomically(target: string, text: string): Promise<void> {
    await mkdir(dirname(target), { recursive: true });
    const mode = await stat(target).then((info) => info.mode & 0o777, () => 0o600);
    const temp = join(dirname(target), `.${randomUUID()}.tmp`);
    try {
      await writeFile(temp, text, { mode, flush: true });
      await rename(temp, target); // atomic on one file system: readers see the old file or the new one
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async function commit(text: string, base: string | undefined, saver: Identity, action: 'save' | 'restore', restoredFrom?: string): Promise<SaveOutcome> {
    if (typeof base !== 'string' || base === '') return { ok: false, status: 400, message: 'the version the edit was based on is required' };
    const stored = await current();
    const version = versionOf(stored.text);
    if (base !== version) {
      return { ok: false, status: 409, message: 'the config changed since you loaded it; reload it and apply your edit again', version };
    }
    const checked = check(text, stored.text, saver);
    if (checked.problems.length > 0 || !checked.config) {
      return { ok: false, status: 422, message: 'the config was not saved: fix every error and warning first', problems: checked.problems };
    }
    if ((await history.list()).length === 0) await history.add({ login: stored.fromFile ? '(file)' : '(default)', action: 'initial', version }, stored.text);
    const target = path ?? savedConfigPath(options.dataDir);
    await writeAtomically(target, checked.text);
    path = target;
    await options.apply(checked.config);
    const entry = await history.add({ login: saver.login, action, version: versionOf(checked.text), ...(restoredFrom ? { restoredFrom } : {}) }, checked.text);
    return { ok: true, version: entry.version, entry, path: target };
  }

  return {
    /** The text for the editor, secrets replaced, with the version a save must name. */
    async read(): Promise<{ text: string; version: string; source: 'file' | 'default'; path: string }> {
      const stored = await current();
      return { text: redactSecrets(stored.text), version: versionOf(stored.text), source: stored.fromFile ? 'file' : 'default', path: path ?? savedConfigPath(options.dataDir) };
    },
    async validate(text: string, saver: Identity): Promise<{ valid: boolean; problems: ConfigProblem[] }> {
      const stored = await current();
      const { problems } = check(text, stored.text, saver);
      return { valid: problems.length === 0, problems };
    },
    save(text: string, base: string | undefined, saver: Identity): Promise<SaveOutcome> {
      return serialized(() => commit(text, base, saver, 'save'));
    },
    restore(id: string, base: string | undefined, saver: Identity): Promise<SaveOutcome> {
      return serialized(async () => {
        const text = await history.text(id);
        if (text === undefined) return { ok: false, status: 404, message: 'no such history entry' };
        return commit(text, base, saver, 'restore', id);
      });
    },
    /** Newest first, each with its diff from the entry before it (both sides redacted). */
    async history(limit = 50): Promise<(HistoryEntry & { diff: DiffLine[] })[]> {
      const entries = (await history.list()).slice(-(limit + 1));
      const texts = await Promise.all(entries.map(async (entry) => redactSecrets((await history.text(entry.id)) ?? '')));
      const shown = entries.map((entry, index) => ({ ...entry, diff: lineDiff(index === 0 ? '' : texts[index - 1], texts[index]) }));
      return (entries.length > limit ? shown.slice(1) : shown).reverse();
    },
    async historyText(id: string): Promise<string | undefined> {
      const text = await history.text(id);
      return text === undefined ? undefined : redactSecrets(text);
    },
  };
}

export type ConfigEditor = ReturnType<typeof createConfigEditor>;
