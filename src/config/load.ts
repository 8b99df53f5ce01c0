import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Config, ConfigProblem } from './config.ts';
import { parseHujson } from './hujson.ts';
import { substituteEnv } from './substitute-env.ts';
import { validateConfig } from './validate.ts';

export type Environment = Record<string, string | undefined>;
export type LoadResult = { config: Config | undefined; problems: ConfigProblem[] };

export const defaultDataDir = './tailgate-data';

/** Parses, substitutes `${ENV}` and validates. `config` is undefined when there is any error. */
export function loadConfigText(text: string, env: Environment): LoadResult {
  const parsed = parseHujson(text);
  if (parsed.errors.length > 0) return { config: undefined, problems: parsed.errors.map((message) => ({ severity: 'error', message })) };
  return loadConfigObject(parsed.value, env, parsed.duplicates.map((key) => ({ severity: 'warning', message: `duplicate config key "${key}"` })));
}

export function loadConfigObject(document: unknown, env: Environment, earlier: ConfigProblem[] = []): LoadResult {
  const missing = new Set<string>();
  const substituted = substituteEnv(document, env, missing);
  const { config, problems } = validateConfig(substituted, { defaultDataDir: env.TAILGATE_DATA_DIR ?? defaultDataDir, socketExists: existsSync });
  const all = [...earlier, ...problems];
  if (missing.size > 0) all.unshift({ severity: 'error', message: `unsubstituted macros: [${[...missing].join(' ')}]` });
  return { config: all.some((problem) => problem.severity === 'error') ? undefined : config, problems: all };
}

export async function loadConfigFile(path: string, env: Environment): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return { config: undefined, problems: [{ severity: 'error', message: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}` }] };
  }
  return loadConfigText(text, env);
}

/**
 * With no config file: providers from the usual API-key variables, and the loopback caller as
 * admin with every model, so `tailgate serve` works on a laptop at once.
 */
export function defaultConfigDocument(env: Environment): Record<string, unknown> {
  const providers: Record<string, unknown> = {};
  if (env.OPENAI_API_KEY) {
    providers.openai = {
      baseurl: 'https://api.openai.com/',
      apikey: '${OPENAI_API_KEY}',
      models: ['gpt-5', 'gpt-5-mini', 'gpt-5-codex', 'gpt-4.1', 'gpt-4.1-mini', 'text-embedding-3-small'],
      compatibility: { openai_chat: true, openai_responses: true },
    };
  }
  if (env.ANTHROPIC_API_KEY) {
    providers.anthropic = {
      baseurl: 'https://api.anthropic.com',
      apikey: '${ANTHROPIC_API_KEY}',
      authorization: 'x-api-key',
      models: ['claude-opus-4-5', 'claude-sonnet-4-5', 'claude-haiku-4-5'],
      compatibility: { anthropic_messages: true },
    };
  }
  if (env.GEMINI_API_KEY) {
    providers.gemini = {
      baseurl: 'https://generativelanguage.googleapis.com',
      apikey: '${GEMINI_API_KEY}',
      authorization: 'x-goog-api-key',
      models: ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite'],
      compatibility: { gemini_generate_content: true },
    };
  }
  return {
    providers,
    grants: [{ src: ['(loopback)'], app: { 'tailscale.com/cap/aperture': [{ role: 'admin' }, { models: '**' }] } }],
  };
}
