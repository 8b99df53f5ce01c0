import { applyEdits, modify, parse, type JSONPath } from 'jsonc-parser';
import { api, ApiError } from './api.ts';

/** The config as the editors see it: text with secrets replaced, its version, and the parsed document. */
export type ConfigDoc = { text: string; version: string; placeholder: string; source: 'file' | 'default'; path: string; doc: Record<string, any> };
export type Problem = { severity: 'error' | 'warning'; message: string };

export async function loadConfig(): Promise<ConfigDoc> {
  const body = await api<Omit<ConfigDoc, 'doc'>>('/api/config');
  return { ...body, doc: (parse(body.text, [], { allowTrailingComma: true }) ?? {}) as Record<string, any> };
}

/** Sets one value in the HuJSON text, keeping comments and layout everywhere else. */
export function setIn(text: string, path: JSONPath, value: unknown): string {
  return applyEdits(text, modify(text, path, value, { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } }));
}

export type SaveResult = { ok: true; version: string } | { ok: false; conflict: boolean; message: string; problems: Problem[] };

export async function saveConfig(text: string, version: string): Promise<SaveResult> {
  try {
    const body = await api<{ version: string }>('/api/config', { method: 'PUT', body: { text, version } });
    return { ok: true, version: body.version };
  } catch (error) {
    if (error instanceof ApiError) return { ok: false, conflict: error.status === 409, message: error.message, problems: error.body?.problems ?? [] };
    return { ok: false, conflict: false, message: (error as Error).message, problems: [] };
  }
}
