import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ListQueryDto } from '../dumps/dto/dump.dto';
import { CreatePlanDto, DensityRequestDto, PlanDto, PlanListDto, PlanStatusDto, TimeseriesQueryDto } from './dto/plan.dto';
import { PlansService } from './plans.service';
import { RequireScope } from '../auth/scopes';

@ApiTags('plans')
@Controller()
export class PlansController {
  constructor(private readonly plans: PlansService) {}

  @RequireScope('write')
  @Post('plans')
  @HttpCode(202)
  @ApiOperation({ summary: 'Run a capacity plan: replay a trace under none, KSM and UPM (a worker job; a sweep fans out)' })
  @ApiAcceptedResponse({ type: PlanStatusDto })
  create(@Body() dto: CreatePlanDto): Promise<PlanStatusDto> {
    return this.plans.create(dto);
  }

  @RequireScope('read')
  @Get('plans')
  @ApiOkResponse({ type: PlanListDto })
  list(@Query() query: ListQueryDto): Promise<PlanListDto> {
    return this.plans.list(query.limit, query.offset);
  }

  @RequireScope('read')
  @Get('plans/:id')
  @ApiOkResponse({ type: PlanDto })
  get(@Param('id') id: string): Promise<PlanDto> {
    return this.plans.get(id);
  }

  @RequireScope('read')
  @Get('plans/:id/timeseries')
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({ summary: 'Memory used and saved, and containers resident, over time per model and host' })
  async timeseries(@Param('id') id: string, @Query() query: TimeseriesQueryDto, @Res() res: Response): Promise<void> {
    const out = await this.plans.timeseries(id, query.format ?? 'json');
    res.type(out.contentType).send(out.body);
  }

  @RequireScope('read')
  @Post('density')
  @HttpCode(200)
  @ApiOperation({ summary: 'How many containers of each function fit on one host under none, KSM and UPM' })
  density(@Body() dto: DensityRequestDto) {
    return this.plans.density(dto);
  }
}
