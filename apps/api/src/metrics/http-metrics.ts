import { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Socket } from 'node:net';
import { MetricsService } from './metrics.service';

const UPLOAD_ROUTES: Record<string, string> = { '/v1/dumps': 'dump', '/v1/traces': 'trace' };

/**
 * Times every request from its first byte to the finished response, including those refused by guards (401,
 * 429) and the body parser (413). The route label is the matched route pattern (`/v1/plans/:id`), never the
 * raw URL, so labels stay few; unmatched requests are `unmatched`. Upload bytes are what the connection read
 * for the request (body and headers: the bytes read since the previous request on that connection finished).
 */
export function applyHttpMetrics(app: INestApplication): void {
  const metrics = app.get(MetricsService);
  const readBefore = new WeakMap<Socket, number>();
  app.use((req: Request, res: Response, next: NextFunction) => {
    const start = process.hrtime.bigint();
    const socket = req.socket;
    res.once('finish', () => {
      const read = socket.bytesRead - (readBefore.get(socket) ?? 0);
      readBefore.set(socket, socket.bytesRead);
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      const labels = { method: req.method, route, status: String(res.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
      const kind = req.method === 'POST' ? UPLOAD_ROUTES[route] : undefined;
      if (kind) metrics.uploadBytes.inc({ kind, status: labels.status }, Math.max(0, read));
    });
    next();
  });
}
