import { Module } from '@nestjs/common';
import { BlobStore } from '@upm/platform';
import { ComputePool } from './compute-pool';

/** One pool of compute threads for the whole API (its caches are shared by every module that imports it). */
@Module({
  providers: [ComputePool, BlobStore],
  exports: [ComputePool],
})
export class ComputeModule {}
