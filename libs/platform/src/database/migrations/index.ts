import { CreatePingRecords1763800000000 } from './1763800000000-create-ping-records';

/** Every migration, in order. New ones are appended here. */
export const MIGRATIONS = [CreatePingRecords1763800000000];
