import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { BlobStore, env } from '@upm/platform';
import { DataSource } from 'typeorm';

/**
 * Deletes the chunks of uploads that never completed (an API process killed mid-upload): once at start-up, then
 * periodically, each time those older than UPLOAD_ORPHAN_MS. An upload's blob becomes visible only when it is
 * complete, so what is swept was never seen by anyone.
 */
@Injectable()
export class OrphanSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OrphanSweeper');
  private readonly blobs: BlobStore;
  private readonly olderThanMs: number;
  private timer?: NodeJS.Timeout;

  constructor(dataSource: DataSource, config: ConfigService) {
    this.blobs = new BlobStore(dataSource);
    this.olderThanMs = env(config, 'UPLOAD_ORPHAN_MS');
  }

  onApplicationBootstrap(): void {
    // After the other modules' bootstrap hooks (migrations) have run.
    setImmediate(() => void this.sweep());
    this.timer = setInterval(() => void this.sweep(), Math.min(this.olderThanMs, 600_000));
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async sweep(): Promise<number> {
    try {
      const n = await this.blobs.sweepOrphans(Date.now(), this.olderThanMs);
      if (n > 0) this.logger.log(`deleted the chunks of ${n} upload(s) that never completed`);
      return n;
    } catch (e) {
      this.logger.warn(`orphan sweep failed (will retry): ${(e as Error).message}`);
      return 0;
    }
  }
}
