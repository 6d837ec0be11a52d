import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const root = resolve(__dirname, '../..');

/** The web UI served by the API at /ui: hashed assets under dist/web/assets, nothing from a CDN. */
export default defineConfig({
  root: __dirname,
  base: '/ui/',
  resolve: { alias: { '@upm/client': resolve(root, 'libs/client/src'), '@upm/model': resolve(root, 'libs/upm-model/src') } },
  build: { outDir: resolve(root, 'dist/web'), emptyOutDir: true, chunkSizeWarningLimit: 1500, sourcemap: false },
  logLevel: 'warn',
});
