import { createRequire } from 'node:module';
import * as path from 'node:path';
import { defaultClientConditions, defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The chart libraries' UMD builds, inlined as text into chart frames (src/components/outputs/chart-libraries.ts).
// Their packages' `exports` maps do not list these files, so they are reached by path beside each entry point.
const require = createRequire(import.meta.url);
const besideEntry = (pkg: string, file: string): string => path.join(path.dirname(require.resolve(pkg)), file);
const umdFiles: Record<string, string> = {
  vega: besideEntry('vega', 'vega.min.js'),
  'vega-lite': besideEntry('vega-lite', 'vega-lite.min.js'),
  'vega-embed': besideEntry('vega-embed', 'vega-embed.min.js'),
  plotly: besideEntry('plotly.js-dist-min', 'plotly.min.js'),
};
// Exact names, the `?raw` query kept.
const umdAliases = Object.entries(umdFiles).map(([name, file]) => ({ find: new RegExp(`^@rnb-umd/${name}(\\?.*)?$`), replacement: `${file}$1` }));

// `base: './'` keeps every asset URL relative, so the host can serve the app under any prefix.
// The dev server proxies the API and socket.io to a host started separately (`npm start`, port 8000).
const target = process.env.RNB_DEV_API ?? 'http://127.0.0.1:8000';
// The host's access token (NOTEBOOK_TOKEN, or the one in the URL it printed): the proxy sends it,
// since the host's cookie belongs to the host's origin, not this dev server's.
const token = process.env.RNB_DEV_TOKEN;
const headers = token ? { authorization: `Bearer ${token}` } : undefined;

export default defineConfig({
  base: './',
  plugins: [react()],
  // Workspace packages the page bundles (the markdown plugin's renderer) are read from their TypeScript sources.
  resolve: { conditions: ['rnb-source', ...defaultClientConditions], alias: umdAliases },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022' },
  server: {
    proxy: {
      '/api': { target, headers },
      '/socket.io': { target, ws: true, headers },
      // Plugins' browser modules (GET /plugins/<language>/browser.js).
      '/plugins': { target },
    },
  },
});
