import { Controller, Delete, HttpCode, Param } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../common/api-problems';
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
  @ApiProblems(404, 409)
  deleteDump(@Param('id') id: string): Promise<void> {
    return this.deletions.deleteDump(id);
  }

  @RequireScope('write')
  @Delete('traces/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a trace and its stored content (409 while a queued or running plan uses it)' })
  @ApiNoContentResponse()
  @ApiProblems(404, 409)
  deleteTrace(@Param('id') id: string): Promise<void> {
    return this.deletions.deleteTrace(id);
  }

  @RequireScope('write')
  @Delete('plans/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a finished plan and its results (409 while it is queued or running)' })
  @ApiNoContentResponse()
  @ApiProblems(404, 409)
  deletePlan(@Param('id') id: string): Promise<void> {
    return this.deletions.deletePlan(id);
  }
}
