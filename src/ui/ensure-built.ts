// Builds the web UI when dist/ui is missing or older than its sources, so a fresh clone works with
// `npm ci && npm start` / `npm ci && npm test` and no committed build output. `npm run build` always builds.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const built = fileURLToPath(new URL('../../dist/ui/index.html', import.meta.url));
// The UI imports a few pure modules from the server side (glob matching); they count as sources too.
const extraSources = [fileURLToPath(new URL('../routing/glob.ts', import.meta.url))];

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

export function uiIsStale(): boolean {
  if (!existsSync(built)) return true;
  const sources = Math.max(newest(here), ...extraSources.map((path) => statSync(path).mtimeMs));
  return sources > statSync(built).mtimeMs;
}

export async function ensureUiBuilt(): Promise<void> {
  if (!uiIsStale()) return;
  const { build } = await import('vite');
  await build({ configFile: join(here, 'vite.config.ts') });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await ensureUiBuilt();
