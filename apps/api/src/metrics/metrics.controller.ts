import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { MetricsAccess } from '../auth/scopes';
import { ApiProblems } from '../common/api-problems';
import { MetricsService } from './metrics.service';

@ApiTags('metrics')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @MetricsAccess()
  @Get()
  @ApiProduces('text/plain')
  @ApiProblems(401, 403)
  @ApiOkResponse({ description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } })
  @ApiOperation({ summary: 'Prometheus metrics: HTTP, uploads, queue depth, worker jobs and plan points (a read key or METRICS_TOKEN)' })
  async scrape(@Res() res: Response): Promise<void> {
    const { contentType, body } = await this.metrics.render();
    res.type(contentType).send(body);
  }
}
