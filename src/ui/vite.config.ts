import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The web UI: Preact + Chart.js, bundled at package build time into dist/ui and served by the gateway
// at /ui. Everything ships in the bundle: no CDN, no web fonts, nothing fetched from the internet.
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/ui/',
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: { alias: { react: 'preact/compat', 'react-dom': 'preact/compat' } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/ui', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
});
