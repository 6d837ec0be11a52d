import { PingRecordEntity } from './ping-record.entity';

/** Every entity, registered with TypeORM in one place. */
export const ENTITIES = [PingRecordEntity];
export { PingRecordEntity };
