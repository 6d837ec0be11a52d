import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { HealthDto } from './health.dto';
import { HealthService } from './health.service';
import { ApiProblems } from '../common/api-problems';
import { Public } from '../auth/scopes';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Public()
  @Get()
  @ApiProblems(503)
  @ApiOperation({ summary: 'Database and Redis status' })
  @ApiResponse({ status: 200, type: HealthDto, description: 'Everything is up' })
  @ApiResponse({ status: 503, type: HealthDto, description: 'Something is down; `down` names it' })
  async get(@Res({ passthrough: true }) res: Response): Promise<HealthDto> {
    const report = await this.health.check();
    res.status(report.down.length ? 503 : 200);
    return report;
  }
}
