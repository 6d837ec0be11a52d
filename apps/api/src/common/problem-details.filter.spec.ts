import { ArgumentsHost, BadRequestException, Logger } from '@nestjs/common';
import { NotFoundError } from './errors';
import { ProblemDetailsFilter } from './problem-details.filter';

function run(exception: unknown) {
  const sent: { status?: number; type?: string; body?: string } = {};
  const res = {
    headersSent: false,
    status(s: number) {
      sent.status = s;
      return this;
    },
    type(t: string) {
      sent.type = t;
      return this;
    },
    send(b: string) {
      sent.body = b;
      return this;
    },
  };
  const host = {
    switchToHttp: () => ({
      getRequest: () => ({ originalUrl: '/v1/x', method: 'GET', id: 'r1' }),
      getResponse: () => res,
    }),
  } as unknown as ArgumentsHost;
  new ProblemDetailsFilter().catch(exception, host);
  return { ...sent, json: JSON.parse(sent.body ?? '{}') };
}

describe('ProblemDetailsFilter', () => {
  it('maps a domain error to its status with its message', () => {
    const out = run(new NotFoundError('No dump 42'));
    expect(out.status).toBe(404);
    expect(out.type).toBe('application/problem+json');
    expect(out.json).toMatchObject({ title: 'Not Found', status: 404, detail: 'No dump 42', instance: '/v1/x', requestId: 'r1' });
  });

  it('lists validation messages in errors', () => {
    const out = run(new BadRequestException(['a must be a number', 'b should not exist']));
    expect(out.status).toBe(400);
    expect(out.json.errors).toEqual([
      { path: '', detail: 'a must be a number' },
      { path: '', detail: 'b should not exist' },
    ]);
  });

  it('keeps the status of an Express middleware error (body too large)', () => {
    const out = run(Object.assign(new Error('request entity too large'), { status: 413 }));
    expect(out.status).toBe(413);
    expect(out.json.detail).toBe('request entity too large');
  });

  it('logs an unknown error and answers a generic 500 that leaks nothing', () => {
    const log = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const out = run(new Error('secret connection string postgres://pw@db'));
    expect(out.status).toBe(500);
    expect(out.body).not.toContain('secret');
    expect(out.json.title).toBe('Internal Server Error');
    expect(log).toHaveBeenCalledTimes(1);
    expect(String(log.mock.calls[0][1])).toContain('secret connection string');
    log.mockRestore();
  });
});
