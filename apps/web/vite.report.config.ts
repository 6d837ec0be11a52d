import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const root = resolve(__dirname, '../..');

/** The plan charts as one classic script (IIFE) that `upm plan report` inlines into a self-contained HTML file. */
export default defineConfig({
  root: __dirname,
  resolve: { alias: { '@upm/client': resolve(root, 'libs/client/src'), '@upm/model': resolve(root, 'libs/upm-model/src') } },
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    minify: true,
    outDir: resolve(root, 'dist/web-report'),
    emptyOutDir: true,
    sourcemap: false,
    lib: { entry: resolve(__dirname, 'src/report.ts'), formats: ['iife'], name: 'UpmReport', fileName: () => 'report.js', cssFileName: 'report' },
  },
  logLevel: 'warn',
});
