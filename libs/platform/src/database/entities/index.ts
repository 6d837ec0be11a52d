import { DumpEntity } from './dump.entity';
import { PingRecordEntity } from './ping-record.entity';

/** Every entity, registered with TypeORM in one place. */
export const ENTITIES = [PingRecordEntity, DumpEntity];
export { DumpEntity, PingRecordEntity };
