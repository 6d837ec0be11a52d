import { INestApplication, RequestMethod } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { documentAccessProblems } from './common/api-problems';
import { mountWebUi } from './ui';
import { requireContentType } from './common/content-type';
import { applyHttpMetrics } from './metrics/http-metrics';
import { applyHttpHardening } from './security/http-hardening';

export const API_PREFIX = 'v1';

/**
 * The OpenAPI document of the app's controllers and DTOs: what /openapi.json serves and what
 * libs/client/src/api-types.ts is generated from (npm run gen:api-types), so the CLI, the scripts and the web
 * UI read the same contract the API validates.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('upm-planner')
      .setDescription('Trace-driven capacity planning for serverless hosts under none, KSM and UPM page merging')
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'an API key (upm server keys create)' })
      .addSecurityRequirements('bearer')
      .build(),
  );
  return documentAccessProblems(doc);
}

/** /v1 before every route but the probes' (/health, /metrics). */
export function setApiPrefix(app: INestApplication): void {
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
}

/** Everything main.ts does to the app besides listening; e2e tests call it too. */
export function configureApp(app: INestApplication): INestApplication {
  app.useLogger(app.get(Logger));
  applyHttpMetrics(app);
  // before the body parsers (applyHttpHardening registers them with their limits)
  app.use(requireContentType);
  applyHttpHardening(app);
  setApiPrefix(app);
  app.enableShutdownHooks();
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json' });
  mountWebUi(app);
  return app;
}
