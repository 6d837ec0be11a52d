import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import { AnalysisJobPayload, JOB_NAMES, jobIdFor, QUEUES } from '@upm/jobs';
import { validateAnalysisRequest } from '@upm/model';
import { env, StoredInputs } from '@upm/platform';
import { ConfigService } from '@nestjs/config';
import type { Queue } from 'bull';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ComputePool } from '../compute/compute-pool';
import { dumpRef } from '../compute/input-refs';
import { JobStatusService } from '../jobs/job-status.service';
import { AnalysisResponseDto, CreateAnalysisDto } from './dto/analysis.dto';

@Injectable()
export class AnalysesService {
  private readonly inputs: StoredInputs;

  constructor(
    dataSource: DataSource,
    @InjectQueue(QUEUES.analyses) private readonly queue: Queue<AnalysisJobPayload>,
    private readonly jobs: JobStatusService,
    private readonly config: ConfigService,
    private readonly compute: ComputePool,
  ) {
    this.inputs = new StoredInputs(dataSource);
  }

  /**
   * Small analyses are answered at once (on a compute thread); above ANALYSIS_SYNC_MAX_PAGES resident pages
   * they become a worker job, keyed by the request's content so the same analysis is not run twice.
   */
  async create(dto: CreateAnalysisDto): Promise<AnalysisResponseDto> {
    const { dumps: dumpIds, ...rest } = dto;
    const request = validateAnalysisRequest(rest);
    const entities = await this.inputs.dumpEntities(dumpIds);
    const residentPages = entities.reduce((n, e) => n + Number(e.summary.residentPages ?? 0), 0);
    if (residentPages <= env(this.config, 'ANALYSIS_SYNC_MAX_PAGES')) {
      const byId = new Map(entities.map((e) => [e.id, dumpRef(e)]));
      const result = await this.compute.run({ kind: 'analysis', request, dumps: dumpIds.map((id) => byId.get(id)!) });
      return { state: 'completed', residentPages, result: result as AnalysisResponseDto['result'] };
    }
    await this.jobs.requireRedis();
    const key = createHash('sha256').update(JSON.stringify({ request, dumpIds })).digest('hex');
    const job = await this.queue.add(
      JOB_NAMES.analysis,
      { version: 1, request, dumpIds },
      { jobId: jobIdFor(QUEUES.analyses, key) },
    );
    return { state: 'queued', jobId: String(job.id), residentPages };
  }
}
