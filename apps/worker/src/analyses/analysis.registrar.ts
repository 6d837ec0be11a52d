import { InjectQueue } from '@nestjs/bull';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { JOB_NAMES, QUEUES } from '@upm/jobs';
import type { Queue } from 'bull';
import { extname, join } from 'node:path';

/** Registers the sandboxed processor of large analyses (one at a time per worker: each takes a core). */
@Injectable()
export class AnalysisRegistrar implements OnModuleInit {
  constructor(@InjectQueue(QUEUES.analyses) private readonly queue: Queue) {}

  onModuleInit(): void {
    void this.queue.process(JOB_NAMES.analysis, 1, join(__dirname, `analysis.sandbox${extname(__filename)}`));
  }
}
