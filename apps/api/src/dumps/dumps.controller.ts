import { Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { DumpDto, DumpListDto, ListQueryDto, UploadDumpQueryDto } from './dto/dump.dto';
import { DumpsService } from './dumps.service';
import { RequireScope } from '../auth/scopes';

@ApiTags('dumps')
@Controller('dumps')
export class DumpsController {
  constructor(private readonly dumps: DumpsService) {}

  @RequireScope('write')
  @Post()
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
  @ApiOkResponse({ type: DumpListDto })
  list(@Query() query: ListQueryDto): Promise<DumpListDto> {
    return this.dumps.list(query.limit, query.offset);
  }

  @RequireScope('read')
  @Get(':id')
  @ApiOkResponse({ type: DumpDto })
  get(@Param('id') id: string): Promise<DumpDto> {
    return this.dumps.get(id);
  }

  @RequireScope('read')
  @Get(':id/sharing')
  @ApiOperation({ summary: 'Sharing breakdown of the dump: memory percentage over RSS by category' })
  sharing(@Param('id') id: string) {
    return this.dumps.sharing(id);
  }
}
