import { Injectable } from '@nestjs/common';
import { profileRefs } from '@upm/model';
import { BlobStore, DumpEntity, inputLock, LeaseLocks, PlanEntity, PlanLifecycle, planLock, TraceEntity } from '@upm/platform';
import { DataSource } from 'typeorm';
import { ConflictError, NotFoundError } from '../common/errors';

const ACTIVE = ['queued', 'running'] as const;

/**
 * Deletes dumps, traces and plans with their blobs, refusing (409) while a queued or running plan uses the thing.
 * A blob is deleted once no row refers to it any more (identical content is stored once and may be shared).
 *
 * Each check-then-delete holds the lock that plan submission takes for the same input (or plan), and a blob is
 * collected under the lock its uploads take: a delete racing a submission or an identical upload never leaves
 * a plan without its inputs, or a row without its blob.
 */
@Injectable()
export class DeletionService {
  private readonly blobs: BlobStore;
  private readonly locks: LeaseLocks;

  constructor(
    private readonly dataSource: DataSource,
    private readonly lifecycle: PlanLifecycle,
  ) {
    this.blobs = new BlobStore(dataSource);
    this.locks = new LeaseLocks(dataSource);
  }

  private async refuseIfUsed(kind: 'dump' | 'trace', id: string, uses: (p: PlanEntity) => boolean): Promise<void> {
    const using = (await this.lifecycle.store.inStates([...ACTIVE])).filter(uses).map((p) => p.id);
    if (using.length > 0)
      throw new ConflictError(`${kind} ${id} is used by ${using.length} queued or running plan(s): delete it once they finish`, { plans: using });
  }

  async deleteDump(id: string): Promise<void> {
    const repo = this.dataSource.getRepository(DumpEntity);
    const sha256 = await this.locks.withLocks([inputLock(id)], async () => {
      const dump = await repo.findOneBy({ id });
      if (!dump) throw new NotFoundError(`no dump with id ${id}`);
      await this.refuseIfUsed('dump', id, (p) => profileRefs(p.spec.profiles).includes(id));
      await repo.delete({ id });
      return dump.sha256;
    });
    await this.blobs.collect(sha256);
  }

  async deleteTrace(id: string): Promise<void> {
    const repo = this.dataSource.getRepository(TraceEntity);
    const sha256 = await this.locks.withLocks([inputLock(id)], async () => {
      const trace = await repo.findOneBy({ id });
      if (!trace) throw new NotFoundError(`no trace with id ${id}`);
      await this.refuseIfUsed('trace', id, (p) => p.traceId === id);
      await repo.delete({ id });
      return trace.sha256;
    });
    await this.blobs.collect(sha256);
  }

  /** A plan by its id or a unique prefix of at least 8 hex digits, as GET takes it. */
  async deletePlan(idOrPrefix: string): Promise<void> {
    const found = await this.lifecycle.store.find(idOrPrefix);
    if (!found) throw new NotFoundError(`no plan with id ${idOrPrefix}`);
    if ('ambiguous' in found)
      throw new ConflictError(`plan id prefix ${idOrPrefix} matches several plans: ${found.ambiguous.join(', ')}; give more digits`, {
        matches: found.ambiguous,
      });
    const shas = await this.locks.withLocks([planLock(found.id)], async () => {
      const plan = await this.lifecycle.store.get(found.id);
      if (!plan) throw new NotFoundError(`no plan with id ${idOrPrefix}`);
      if ((ACTIVE as readonly string[]).includes(plan.state))
        throw new ConflictError(`plan ${plan.id} is ${plan.state}: delete it once it has finished`, { state: plan.state });
      return this.lifecycle.delete(plan);
    });
    for (const sha of shas) await this.blobs.collect(sha);
  }
}
