import type { INestApplication } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where `npm run build:web` puts the web UI (dist/web), seen from the built API or from its sources. */
export function webUiDir(): string | null {
  for (const dir of [resolve(__dirname, '../../../web'), resolve(__dirname, '../../../dist/web')]) {
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return null;
}

/**
 * The report web app at /ui (a hash-routed single page calling /v1 only), and `/` redirecting to it. Hashed
 * assets are cached for a year, index.html is revalidated; a strict CSP: scripts, styles and fonts from this
 * origin only, no inline script, no eval.
 */
export function mountWebUi(app: INestApplication, dir = webUiDir()): void {
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  app.use('/ui', (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('content-security-policy', csp);
    res.setHeader('x-content-type-options', 'nosniff');
    if (dir) return next();
    res
      .status(404)
      .type('application/problem+json')
      .send(JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404, detail: 'the web UI is not built: run npm run build:web', instance: req.originalUrl }));
  });
  if (dir) {
    app.use(
      '/ui',
      express.static(dir, {
        index: 'index.html',
        setHeaders: (res, path) => {
          res.setHeader('cache-control', path.includes(`${join(dir, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
        },
      }),
    );
  }
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'GET' && req.path === '/') return res.redirect(302, '/ui/');
    next();
  });
}
