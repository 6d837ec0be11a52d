import { CreatePingRecords1763800000000 } from './1763800000000-create-ping-records';
import { CreateBlobs1763800100000 } from './1763800100000-create-blobs';
import { CreateDumps1763800200000 } from './1763800200000-create-dumps';
import { CreateTraces1763800300000 } from './1763800300000-create-traces';
import { CreatePlans1763800400000 } from './1763800400000-create-plans';
import { AddTraceSourceHash1763800500000 } from './1763800500000-add-trace-source-hash';
import { CreateApiKeys1763800600000 } from './1763800600000-create-api-keys';
import { AddPlanTimeseriesSha2561763800710000 } from './1763800710000-add-plan-timeseries-sha256';
import { CreateLeaseLocks1763800800000 } from './1763800800000-create-lease-locks';

/** Every migration, in order. New ones are appended here. */
export const MIGRATIONS = [CreatePingRecords1763800000000, CreateBlobs1763800100000, CreateDumps1763800200000, CreateTraces1763800300000, CreatePlans1763800400000, AddTraceSourceHash1763800500000, CreateApiKeys1763800600000, AddPlanTimeseriesSha2561763800710000, CreateLeaseLocks1763800800000];
