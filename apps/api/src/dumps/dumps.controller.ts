import { Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiExtraModels, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { DumpDto, DumpListDto, ListQueryDto, SharingQueryDto, UploadDumpQueryDto } from './dto/dump.dto';
import { DumpsService } from './dumps.service';
import { ApiProblems } from '../common/api-problems';
import { CategoryAmountDto, SharingReportDto } from '../common/result-schemas';
import { DUMP_EXAMPLE } from '../common/api-examples';
import { RequireScope } from '../auth/scopes';

@ApiTags('dumps')
@Controller('dumps')
export class DumpsController {
  constructor(private readonly dumps: DumpsService) {}

  @RequireScope('write')
  @Post()
  @ApiProblems(400, 413, 415, 422)
  @HttpCode(201)
  @ApiOperation({ summary: 'Upload a page-hash dump (format v1) as the raw request body; validated while it streams' })
  @ApiConsumes('application/octet-stream')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiCreatedResponse({ type: DumpDto, description: 'Stored, or matched an identical stored dump (deduplicated: true)' })
  upload(@Req() req: Request, @Query() query: UploadDumpQueryDto): Promise<DumpDto> {
    const length = req.headers['content-length'];
    return this.dumps.upload(req, { name: query.name, contentLength: length === undefined ? undefined : Number(length) });
  }

  @RequireScope('read')
  @Get()
  @ApiOperation({ summary: 'Stored dumps with their summaries (paged, newest first)' })
  @ApiProblems(422)
  @ApiOkResponse({ type: DumpListDto })
  list(@Query() query: ListQueryDto): Promise<DumpListDto> {
    return this.dumps.list(query.limit, query.offset);
  }

  @RequireScope('read')
  @Get(':id')
  @ApiOperation({ summary: 'A stored dump with its summary' })
  @ApiProblems(404)
  @ApiOkResponse({ type: DumpDto, example: DUMP_EXAMPLE })
  get(@Param('id') id: string): Promise<DumpDto> {
    return this.dumps.get(id);
  }

  @RequireScope('read')
  @Get(':id/sharing')
  @ApiProblems(404, 422)
  @ApiExtraModels(CategoryAmountDto)
  @ApiOkResponse({ type: SharingReportDto })
  @ApiOperation({ summary: 'Sharing breakdown of the dump: memory percentage over RSS by category' })
  sharing(@Param('id') id: string, @Query() query: SharingQueryDto): Promise<SharingReportDto> {
    return this.dumps.sharing(id, query);
  }
}
