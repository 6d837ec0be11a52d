import { Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ListQueryDto } from '../dumps/dto/dump.dto';
import { TraceDto, TraceFunctionListDto, TraceListDto, TraceProfileDto, TraceProfileQueryDto, UploadTraceQueryDto } from './dto/trace.dto';
import { TracesService } from './traces.service';
import { ApiProblems } from '../common/api-problems';
import { TRACE_EXAMPLE } from '../common/api-examples';
import { RequireScope } from '../auth/scopes';

@ApiTags('traces')
@Controller('traces')
export class TracesController {
  constructor(private readonly traces: TracesService) {}

  @RequireScope('write')
  @Post()
  @ApiProblems(400, 413, 415, 422)
  @HttpCode(201)
  @ApiOperation({
    summary: 'Upload a trace: the three Azure 2019 files of a day, one Azure 2021 file, or Huawei 2023 request files',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { files: { type: 'array', items: { type: 'string', format: 'binary' } } } } })
  @ApiCreatedResponse({ type: TraceDto })
  upload(@Req() req: Request, @Query() query: UploadTraceQueryDto): Promise<TraceDto> {
    return this.traces.upload(req, query);
  }

  @RequireScope('read')
  @Get()
  @ApiOperation({ summary: 'Ingested traces (paged, newest first)' })
  @ApiProblems(422)
  @ApiOkResponse({ type: TraceListDto })
  list(@Query() query: ListQueryDto): Promise<TraceListDto> {
    return this.traces.list(query.limit, query.offset);
  }

  @Get(':id/functions')
  @RequireScope('read')
  @ApiProblems(404, 422)
  @ApiOperation({ summary: "A trace's functions, most invoked first: the keys of a plan's profiles.functions (paged)" })
  @ApiOkResponse({ type: TraceFunctionListDto })
  functions(@Param('id') id: string, @Query() query: ListQueryDto): Promise<TraceFunctionListDto> {
    return this.traces.functions(id, query.limit, query.offset);
  }

  @RequireScope('read')
  @Get(':id')
  @ApiOperation({ summary: 'An ingested trace: functions, apps, invocations per trigger, peak per minute, join report' })
  @ApiProblems(404)
  @ApiOkResponse({ type: TraceDto, example: TRACE_EXAMPLE })
  get(@Param('id') id: string): Promise<TraceDto> {
    return this.traces.get(id);
  }

  @Get(':id/profile')
  @ApiOperation({ summary: 'Invocations per minute over the trace window, and the busiest functions' })
  @ApiProblems(404, 422)
  @ApiOkResponse({ type: TraceProfileDto })
  profile(@Param('id') id: string, @Query() query: TraceProfileQueryDto): Promise<TraceProfileDto> {
    return this.traces.profile(id, query.top);
  }
}
