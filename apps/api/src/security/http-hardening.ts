import { INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { env } from '@upm/platform';

/**
 * Security headers, CORS and body limits, applied by configureApp (so e2e tests get them too).
 *
 * CSP: everything from the same origin only, no inline scripts anywhere. The web UI (/ui) loads its scripts and
 * styles as files from this origin. Swagger UI (/docs) ships an inline <style> and loads its scripts as files, so
 * /docs alone also allows inline styles (never inline scripts).
 */
export function applyHttpHardening(app: INestApplication): void {
  const config = app.get(ConfigService);
  const express = app as NestExpressApplication;
  const directives = {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    frameAncestors: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
  };
  const strict = helmet({ contentSecurityPolicy: { useDefaults: false, directives }, crossOriginEmbedderPolicy: false });
  const docs = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { ...directives, styleSrc: ["'self'", "'unsafe-inline'"] } },
    crossOriginEmbedderPolicy: false,
  });
  express.use((req: Request, res: Response, next: NextFunction) => (req.path.startsWith('/docs') ? docs : strict)(req, res, next));

  const origins = config.get<string>('CORS_ORIGINS');
  if (origins) {
    express.enableCors({
      origin: origins === '*' ? '*' : origins.split(','),
      methods: ['GET', 'HEAD', 'POST', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'x-request-id'],
      exposedHeaders: ['x-request-id', 'retry-after', 'location'],
      maxAge: 600,
    });
  }

  const trustProxy = config.get<string>('TRUST_PROXY');
  if (trustProxy) express.set('trust proxy', /^\d+$/.test(trustProxy) ? Number(trustProxy) : trustProxy === 'true' ? true : trustProxy);

  const limit = env(config, 'JSON_BODY_MAX_BYTES');
  express.useBodyParser('json', { limit });
  express.useBodyParser('urlencoded', { limit, extended: true });
}
