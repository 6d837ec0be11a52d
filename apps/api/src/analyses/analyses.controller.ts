import { Body, Controller, Post, Res } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiOperation, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Response } from 'express';
import { AnalysesService } from './analyses.service';
import { AnalysisResponseDto, CreateAnalysisDto } from './dto/analysis.dto';
import { ApiProblems } from '../common/api-problems';
import { RequireScope } from '../auth/scopes';

@ApiTags('analyses')
@ApiExtraModels(CreateAnalysisDto)
@Controller('analyses')
export class AnalysesController {
  constructor(private readonly analyses: AnalysesService) {}

  @RequireScope('read')
  @Post()
  @ApiProblems(400, 422, 503)
  @ApiOperation({ summary: 'Predict merging (none, ksm, upm) or break down sharing over stored dumps' })
  @ApiBody({
    schema: { $ref: getSchemaPath(CreateAnalysisDto) },
    examples: {
      ksm: {
        summary: 'What KSM merges over two containers of a function, with its counters over time',
        value: { dumps: ['3f0b6c1e-8a52-4d1c-9a57-2f6f1d0b8e21', '5e2a9d4c-7b1f-4c3e-a6d8-1f0e9c8b7a65'], model: 'ksm', ksm: { pagesToScan: 1000 }, timeline: true },
      },
      sharing: {
        summary: "Sharing breakdown of a dump's last snapshot, counting what UPM can merge",
        value: { dumps: ['3f0b6c1e-8a52-4d1c-9a57-2f6f1d0b8e21'], model: 'sharing', snapshot: 'last', mergeability: 'upm' },
      },
    },
  })
  @ApiResponse({ status: 200, type: AnalysisResponseDto, description: 'Answered at once' })
  @ApiResponse({ status: 202, type: AnalysisResponseDto, description: 'Large: running as a worker job' })
  async create(@Body() dto: CreateAnalysisDto, @Res({ passthrough: true }) res: Response): Promise<AnalysisResponseDto> {
    const out = await this.analyses.create(dto);
    res.status(out.state === 'completed' ? 200 : 202);
    return out;
  }
}
