import { Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ListQueryDto } from '../dumps/dto/dump.dto';
import { TraceDto, TraceListDto, UploadTraceQueryDto } from './dto/trace.dto';
import { TracesService } from './traces.service';
import { RequireScope } from '../auth/scopes';

@ApiTags('traces')
@Controller('traces')
export class TracesController {
  constructor(private readonly traces: TracesService) {}

  @RequireScope('write')
  @Post()
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
  @ApiOkResponse({ type: TraceListDto })
  list(@Query() query: ListQueryDto): Promise<TraceListDto> {
    return this.traces.list(query.limit, query.offset);
  }

  @RequireScope('read')
  @Get(':id')
  @ApiOkResponse({ type: TraceDto })
  get(@Param('id') id: string): Promise<TraceDto> {
    return this.traces.get(id);
  }
}
