import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { EnqueuePingDto } from './dto/enqueue-ping.dto';
import { JobStatusDto } from './dto/job-status.dto';
import { JobStatusService } from './job-status.service';
import { PingProducer } from './ping.producer';
import { ApiProblems } from '../common/api-problems';
import { RequireScope } from '../auth/scopes';

@ApiTags('jobs')
@ApiExtraModels(EnqueuePingDto)
@Controller('jobs')
export class JobsController {
  constructor(
    private readonly ping: PingProducer,
    private readonly status: JobStatusService,
  ) {}

  @RequireScope('write')
  @Post('ping')
  @ApiProblems(400, 422, 503)
  @HttpCode(202)
  @ApiOperation({ summary: 'Enqueue a ping job (API → Redis → worker → database)' })
  @ApiBody({ schema: { $ref: getSchemaPath(EnqueuePingDto) }, examples: { ping: { summary: 'A job the worker holds 50 ms', value: { message: 'hello', holdMs: 50 } } } })
  @ApiAcceptedResponse({ type: JobStatusDto })
  enqueuePing(@Body() dto: EnqueuePingDto): Promise<JobStatusDto> {
    return this.ping.enqueue(dto);
  }

  @RequireScope('read')
  @Get(':id')
  @ApiProblems(404, 503)
  @ApiOperation({ summary: 'Status of any job' })
  @ApiOkResponse({ type: JobStatusDto })
  get(@Param('id') id: string): Promise<JobStatusDto> {
    return this.status.get(id);
  }
}
