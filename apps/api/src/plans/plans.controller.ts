import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiExtraModels, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Response } from 'express';
import { ListQueryDto } from '../dumps/dto/dump.dto';
import { CreatePlanDto, DensityRequestDto, PlanDto, PlanListDto, PlanStatusDto, TimeseriesQueryDto } from './dto/plan.dto';
import { PlansService } from './plans.service';
import { ApiProblems } from '../common/api-problems';
import { DensityResultDto, PlanTimeseriesDto } from '../common/result-schemas';
import { RequireScope } from '../auth/scopes';
import { PLAN_STATUS_EXAMPLE } from '../common/api-examples';
import { PLAN_EXAMPLE, POLICY_SCHEMAS, SWEEP_EXAMPLE } from './dto/plan-spec.schema';

@ApiTags('plans')
@ApiExtraModels(CreatePlanDto, DensityRequestDto, ...POLICY_SCHEMAS)
@Controller()
export class PlansController {
  constructor(private readonly plans: PlansService) {}

  @RequireScope('write')
  @Post('plans')
  @ApiProblems(400, 415, 422, 503)
  @HttpCode(202)
  @ApiOperation({ summary: 'Run a capacity plan: replay a trace under none, KSM and UPM (a worker job; a sweep fans out)' })
  @ApiBody({
    schema: { $ref: getSchemaPath(CreatePlanDto) },
    examples: {
      plan: { summary: '2 hosts of 4 GiB, TTL 10 min, sized for 1% cold starts', value: PLAN_EXAMPLE },
      sweep: { summary: 'A sweep of host memory × TTL (9 points)', value: SWEEP_EXAMPLE },
    },
  })
  @ApiAcceptedResponse({ type: PlanStatusDto, example: PLAN_STATUS_EXAMPLE })
  create(@Body() dto: CreatePlanDto): Promise<PlanStatusDto> {
    return this.plans.create(dto);
  }

  @RequireScope('read')
  @Get('plans')
  @ApiOperation({ summary: 'Plans with their state and progress (paged, newest first)' })
  @ApiProblems(422)
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
  @ApiProblems(404, 409, 422)
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
  @ApiBody({
    schema: { $ref: getSchemaPath(DensityRequestDto) },
    examples: {
      density: {
        summary: 'Two functions, each profiled by two container dumps, on a 4 GiB host',
        value: {
          dumps: {
            resize: ['3f0b6c1e-8a52-4d1c-9a57-2f6f1d0b8e21', '5e2a9d4c-7b1f-4c3e-a6d8-1f0e9c8b7a65'],
            'http-handler': ['9c4d2e7a-1b3f-4e6a-8d5c-0a9b8c7d6e5f', 'b7c6d5e4-f3a2-4b1c-9d8e-7f6a5b4c3d2e'],
          },
          hostMemoryGiB: 4,
          models: ['none', 'ksm', 'upm'],
        },
      },
    },
  })
  @ApiOkResponse({ type: DensityResultDto })
  @HttpCode(200)
  @ApiOperation({ summary: 'How many containers of each function fit on one host under none, KSM and UPM' })
  density(@Body() dto: DensityRequestDto): Promise<DensityResultDto> {
    return this.plans.density(dto);
  }
}
