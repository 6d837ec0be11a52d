import { Controller, Delete, HttpCode, Param } from '@nestjs/common';
import { ApiConflictResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/scopes';
import { DeletionService } from './deletion.service';

/** DELETE of dumps, traces and plans (write scope): 204, 404 when unknown, 409 while a running plan uses it. */
@ApiTags('deletions')
@Controller()
export class DeletionsController {
  constructor(private readonly deletions: DeletionService) {}

  @RequireScope('write')
  @Delete('dumps/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a dump and its stored content (409 while a queued or running plan uses it)' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  @ApiConflictResponse()
  deleteDump(@Param('id') id: string): Promise<void> {
    return this.deletions.deleteDump(id);
  }

  @RequireScope('write')
  @Delete('traces/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a trace and its stored content (409 while a queued or running plan uses it)' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  @ApiConflictResponse()
  deleteTrace(@Param('id') id: string): Promise<void> {
    return this.deletions.deleteTrace(id);
  }

  @RequireScope('write')
  @Delete('plans/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a finished plan and its results (409 while it is queued or running)' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  @ApiConflictResponse()
  deletePlan(@Param('id') id: string): Promise<void> {
    return this.deletions.deletePlan(id);
  }
}
