import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ListQueryDto } from '../dumps/dto/dump.dto';
import { CreatePlanDto, DensityRequestDto, PlanDto, PlanListDto, PlanStatusDto, TimeseriesQueryDto } from './dto/plan.dto';
import { PlansService } from './plans.service';
import { ApiProblems } from '../common/api-problems';
import { DensityResultDto, PlanTimeseriesDto } from '../common/result-schemas';
import { RequireScope } from '../auth/scopes';

@ApiTags('plans')
@Controller()
export class PlansController {
  constructor(private readonly plans: PlansService) {}

  @RequireScope('write')
  @Post('plans')
  @ApiProblems(400, 415, 422, 503)
  @HttpCode(202)
  @ApiOperation({ summary: 'Run a capacity plan: replay a trace under none, KSM and UPM (a worker job; a sweep fans out)' })
  @ApiAcceptedResponse({ type: PlanStatusDto })
  create(@Body() dto: CreatePlanDto): Promise<PlanStatusDto> {
    return this.plans.create(dto);
  }

  @RequireScope('read')
  @Get('plans')
  @ApiOperation({ summary: 'Plans with their state and progress (paged, newest first)' })
  @ApiProblems(400)
  @ApiOkResponse({ type: PlanListDto })
  list(@Query() query: ListQueryDto): Promise<PlanListDto> {
    return this.plans.list(query.limit, query.offset);
  }

  @RequireScope('read')
  @Get('plans/:id')
  @ApiOperation({ summary: 'A plan (by id or a unique prefix of 8+ digits): state, progress, spec and result (time series at /timeseries)' })
  @ApiProblems(404, 409)
  @ApiOkResponse({ type: PlanDto })
  get(@Param('id') id: string): Promise<PlanDto> {
    return this.plans.get(id);
  }

  @RequireScope('read')
  @Get('plans/:id/timeseries')
  @ApiProblems(400, 404, 409, 422)
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: PlanTimeseriesDto, description: 'JSON; with format=csv one row per sample and series' })
  @ApiOperation({
    summary: 'Memory used and saved, and containers resident, over time per model and host (a sweep: of ?point=N)',
  })
  async timeseries(@Param('id') id: string, @Query() query: TimeseriesQueryDto, @Res() res: Response): Promise<void> {
    const out = await this.plans.timeseries(id, query.format ?? 'json', query.point);
    res.type(out.contentType).send(out.body);
  }

  @RequireScope('read')
  @Post('density')
  @ApiProblems(400, 422)
  @ApiOkResponse({ type: DensityResultDto })
  @HttpCode(200)
  @ApiOperation({ summary: 'How many containers of each function fit on one host under none, KSM and UPM' })
  density(@Body() dto: DensityRequestDto): Promise<DensityResultDto> {
    return this.plans.density(dto);
  }
}
