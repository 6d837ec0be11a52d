import { PlanEntity } from '@upm/platform';
import { PlanStatusDto } from './dto/plan.dto';

export function toPlanStatusDto(p: PlanEntity, progress: number, pointsDone: number): PlanStatusDto {
  return {
    id: p.id,
    state: p.state,
    progress,
    points: p.points,
    pointsDone,
    trace: p.traceId,
    error: p.error,
    summary: p.summary,
    createdAt: new Date(p.createdAtMs).toISOString(),
    completedAt: p.completedAtMs ? new Date(p.completedAtMs).toISOString() : null,
  };
}
