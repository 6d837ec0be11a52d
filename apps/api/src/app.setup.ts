import { INestApplication, RequestMethod } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { mountWebUi } from './ui';
import { requireContentType } from './common/content-type';
import { applyHttpMetrics } from './metrics/http-metrics';
import { applyHttpHardening } from './security/http-hardening';

export const API_PREFIX = 'v1';

/** Everything main.ts does to the app besides listening; e2e tests call it too. */
export function configureApp(app: INestApplication): INestApplication {
  app.useLogger(app.get(Logger));
  applyHttpMetrics(app);
  // before the body parsers (applyHttpHardening registers them with their limits)
  app.use(requireContentType);
  applyHttpHardening(app);
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('upm-planner')
      .setDescription('Trace-driven capacity planning for serverless hosts under none, KSM and UPM page merging')
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'an API key (upm server keys create)' })
      .addSecurityRequirements('bearer')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json' });
  mountWebUi(app);
  return app;
}
