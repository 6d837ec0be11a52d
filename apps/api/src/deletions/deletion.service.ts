import { Injectable } from '@nestjs/common';
import { profileRefs } from '@upm/model';
import { BlobStore, DumpEntity, PlanEntity, PlanLifecycle, PlanPointEntity, TraceEntity } from '@upm/platform';
import { DataSource } from 'typeorm';
import { ConflictError, NotFoundError } from '../common/errors';

const ACTIVE = ['queued', 'running'] as const;

/**
 * Deletes dumps, traces and plans with their blobs, refusing (409) while a queued or running plan uses the thing.
 * A blob is deleted once no row refers to it any more (identical content is stored once and may be shared).
 */
@Injectable()
export class DeletionService {
  private readonly blobs: BlobStore;

  constructor(
    private readonly dataSource: DataSource,
    private readonly lifecycle: PlanLifecycle,
  ) {
    this.blobs = new BlobStore(dataSource);
  }

  private activePlans(): Promise<PlanEntity[]> {
    return this.lifecycle.store.inStates([...ACTIVE]);
  }

  private async refuseIfUsed(kind: 'dump' | 'trace', id: string, uses: (p: PlanEntity) => boolean): Promise<void> {
    const using = (await this.activePlans()).filter(uses).map((p) => p.id);
    if (using.length > 0)
      throw new ConflictError(`${kind} ${id} is used by ${using.length} queued or running plan(s): delete it once they finish`, { plans: using });
  }

  async deleteDump(id: string): Promise<void> {
    const repo = this.dataSource.getRepository(DumpEntity);
    const dump = await repo.findOneBy({ id });
    if (!dump) throw new NotFoundError(`no dump with id ${id}`);
    await this.refuseIfUsed('dump', id, (p) => profileRefs(p.spec.profiles).includes(id));
    await repo.delete({ id });
    await this.deleteBlobIfUnused(dump.sha256);
  }

  async deleteTrace(id: string): Promise<void> {
    const repo = this.dataSource.getRepository(TraceEntity);
    const trace = await repo.findOneBy({ id });
    if (!trace) throw new NotFoundError(`no trace with id ${id}`);
    await this.refuseIfUsed('trace', id, (p) => p.traceId === id);
    await repo.delete({ id });
    await this.deleteBlobIfUnused(trace.sha256);
  }

  async deletePlan(id: string): Promise<void> {
    const plan = await this.lifecycle.store.get(id);
    if (!plan) throw new NotFoundError(`no plan with id ${id}`);
    if ((ACTIVE as readonly string[]).includes(plan.state)) throw new ConflictError(`plan ${id} is ${plan.state}: delete it once it has finished`, { state: plan.state });
    for (const sha of await this.lifecycle.delete(plan)) await this.deleteBlobIfUnused(sha);
  }

  private async deleteBlobIfUnused(sha256: string): Promise<void> {
    const m = this.dataSource.manager;
    const uses = await Promise.all([
      m.countBy(DumpEntity, { sha256 }),
      m.countBy(TraceEntity, { sha256 }),
      m.countBy(PlanEntity, { resultSha256: sha256 }),
      m.countBy(PlanEntity, { timeseriesSha256: sha256 }),
      m.countBy(PlanPointEntity, { resultSha256: sha256 }),
      m.countBy(PlanPointEntity, { timeseriesSha256: sha256 }),
    ]);
    if (uses.every((n) => n === 0)) await this.blobs.delete(sha256);
  }
}
