import { DumpEntity } from './dump.entity';
import { PingRecordEntity } from './ping-record.entity';
import { TraceEntity } from './trace.entity';

/** Every entity, registered with TypeORM in one place. */
export const ENTITIES = [PingRecordEntity, DumpEntity, TraceEntity];
export { DumpEntity, PingRecordEntity, TraceEntity };
