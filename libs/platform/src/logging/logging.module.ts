import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { env } from '../config/app-config';

export const REQUEST_ID_HEADER = 'x-request-id';

/** Accept a caller's request id when it is sane, else make one. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : randomUUID();
}

/** JSON logs (pino); every line logged while serving a request carries its `reqId`. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        pinoHttp: {
          level: env(config, 'LOG_LEVEL'),
          genReqId: (req: IncomingMessage, res: ServerResponse) => {
            const id = requestIdOf(req);
            res.setHeader(REQUEST_ID_HEADER, id);
            return id;
          },
          customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
            err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
          redact: ['req.headers.authorization', 'req.headers.cookie'],
          // The status only: the response headers are the same helmet set on every line (about 3/4 of its bytes,
          // written for every request) and the request id is the line's req.id already.
          serializers: { res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }) },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
