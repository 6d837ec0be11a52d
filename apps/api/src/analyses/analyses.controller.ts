import { Body, Controller, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AnalysesService } from './analyses.service';
import { AnalysisResponseDto, CreateAnalysisDto } from './dto/analysis.dto';
import { ApiProblems } from '../common/api-problems';
import { RequireScope } from '../auth/scopes';

@ApiTags('analyses')
@Controller('analyses')
export class AnalysesController {
  constructor(private readonly analyses: AnalysesService) {}

  @RequireScope('read')
  @Post()
  @ApiProblems(400, 422, 503)
  @ApiOperation({ summary: 'Predict merging (none, ksm, upm) or break down sharing over stored dumps' })
  @ApiResponse({ status: 200, type: AnalysisResponseDto, description: 'Answered at once' })
  @ApiResponse({ status: 202, type: AnalysisResponseDto, description: 'Large: running as a worker job' })
  async create(@Body() dto: CreateAnalysisDto, @Res({ passthrough: true }) res: Response): Promise<AnalysisResponseDto> {
    const out = await this.analyses.create(dto);
    res.status(out.state === 'completed' ? 200 : 202);
    return out;
  }
}
