import { ApiKeyEntity } from './api-key.entity';
import { DumpEntity } from './dump.entity';
import { PingRecordEntity } from './ping-record.entity';
import { PlanEntity, PlanPointEntity } from './plan.entity';
import { TraceEntity } from './trace.entity';

/** Every entity, registered with TypeORM in one place. */
export const ENTITIES = [PingRecordEntity, DumpEntity, TraceEntity, PlanEntity, PlanPointEntity, ApiKeyEntity];
export { ApiKeyEntity, DumpEntity, PingRecordEntity, PlanEntity, PlanPointEntity, TraceEntity };
export type { PlanState, PlanSummary } from './plan.entity';
export type { StoredDumpSummary } from './dump.entity';
export type { ApiKeyScope } from './api-key.entity';
