/**
 * OpenAPI schemas of the plan spec's nested fields (the body of POST /v1/plans): documentation classes
 * mirroring libs/upm-model/src/plan/spec/types.ts, never instantiated. They change nothing of what is accepted: the
 * domain's validatePlanSpec checks every field and names the JSON path of a bad one. Defaults are the domain's.
 */
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import {
  DEFAULT_COLD_START_MS,
  DEFAULT_FALLBACK_MEMORY_MIB,
  DEFAULT_KSM_PLAN_PARAMS,
  DEFAULT_MAX_HOSTS,
  DEFAULT_TTL_MINUTES,
  DEFAULT_UPM_COSTS,
  HYBRID_DEFAULTS,
  MEMORY_PERCENTILE_NAMES,
  PLAN_LIMITS,
  TRIGGERS,
} from '@upm/model';

const dumpIds = (description: string) => ({
  type: 'array' as const,
  items: { type: 'string' as const },
  minItems: 1,
  description,
  example: ['3f0b6c1e-8a52-4d1c-9a57-2f6f1d0b8e21'],
});

export class ProfileMatchSchema {
  @ApiPropertyOptional({ enum: [...TRIGGERS], nullable: true, description: "The function's trigger", example: 'http' })
  trigger?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'The app hash, exactly', example: 'a1b2c3' })
  app?: string | null;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'A regular expression tested on the function id (at least one of trigger, app, name)',
    example: '^resize-',
  })
  name?: string | null;
}

export class ProfileRuleSchema {
  @ApiProperty({ type: ProfileMatchSchema, description: 'Every field given must match' })
  match: ProfileMatchSchema;
  @ApiProperty(dumpIds('Dump ids whose processes stand for the matched functions'))
  dumps: string[];
}

export class ProfileFallbackSchema {
  @ApiPropertyOptional({
    minimum: 0,
    maximum: 1,
    default: 0.3,
    description: "Fraction of a fallback container's pages identical across containers of the same function",
  })
  sharedFraction?: number;
  @ApiPropertyOptional({
    enum: [...MEMORY_PERCENTILE_NAMES],
    default: 'p50',
    description: "Percentile of the app's committed memory (from the trace) used as the container size",
  })
  percentile?: string;
  @ApiPropertyOptional({
    exclusiveMinimum: true,
    minimum: 0,
    maximum: 1 << 20,
    default: DEFAULT_FALLBACK_MEMORY_MIB,
    description: 'Container size for functions whose trace carries no memory figures (Azure 2021, Huawei)',
  })
  defaultMemoryMiB?: number;
}

export class ProfilesSchema {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: dumpIds('Dump ids'),
    description: 'Function key ("<app>/<id>" or "<id>"; see GET /v1/traces/:id/functions) → dump ids',
    example: { 'a1b2c3/resize': ['3f0b6c1e-8a52-4d1c-9a57-2f6f1d0b8e21'] },
  })
  functions?: Record<string, string[]>;
  @ApiPropertyOptional({
    type: [ProfileRuleSchema],
    maxItems: PLAN_LIMITS.maxProfileRules,
    description: 'Tried in order after `functions`: the first matching rule wins',
  })
  rules?: ProfileRuleSchema[];
  @ApiPropertyOptional({
    ...dumpIds('For every function matched by neither `functions` nor `rules`; null: those use the fallback'),
    nullable: true,
    default: null,
  })
  default?: string[] | null;
  @ApiPropertyOptional({ type: ProfileFallbackSchema, nullable: true, description: 'Functions without a dump' })
  fallback?: ProfileFallbackSchema | null;
  @ApiPropertyOptional({ enum: ['first', 'last'], default: 'last', description: 'Which snapshot of each dump gives the processes' })
  snapshot?: 'first' | 'last';
}

export class HostSchema {
  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    exclusiveMinimum: true,
    minimum: 0,
    maximum: 1 << 20,
    default: null,
    description: 'Memory of each host in GiB; null: unlimited',
    example: 4,
  })
  memoryGiB?: number | null;
  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: 1,
    maximum: 1 << 20,
    default: null,
    description: 'Concurrent invocations per host; null: unlimited',
  })
  cores?: number | null;
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: PLAN_LIMITS.maxHosts, default: 1, description: 'Number of hosts', example: 2 })
  count?: number;
}

export class TtlPolicySchema {
  @ApiProperty({ enum: ['ttl'], description: 'Keep an idle container for a fixed time' }) kind: 'ttl';
  @ApiPropertyOptional({ minimum: 0, maximum: 1e7, default: DEFAULT_TTL_MINUTES, example: 10 })
  ttlMinutes?: number;
}

const H = HYBRID_DEFAULTS;
/** Shahrad et al., "Serverless in the Wild", USENIX ATC 2020, section 4.2. */
export class HybridHistogramPolicySchema {
  @ApiProperty({ enum: ['hybrid-histogram'], description: 'Serverless in the Wild (ATC 2020): idle-time histogram per app' })
  kind: 'hybrid-histogram';
  @ApiPropertyOptional({ exclusiveMinimum: true, minimum: 0, maximum: 1e6, default: H.rangeMinutes, description: 'Range of the histogram' })
  rangeMinutes?: number;
  @ApiPropertyOptional({
    exclusiveMinimum: true,
    minimum: 0,
    maximum: 1e6,
    default: H.binMinutes,
    description: `Bin width (at most rangeMinutes, at most ${PLAN_LIMITS.maxHistogramBins} bins)`,
  })
  binMinutes?: number;
  @ApiPropertyOptional({ minimum: 0, maximum: 100, default: H.prewarmPercentile, description: 'Pre-warm at this percentile (the head; at most keepAlivePercentile)' })
  prewarmPercentile?: number;
  @ApiPropertyOptional({ minimum: 0, maximum: 100, default: H.keepAlivePercentile, description: 'Keep alive until this percentile (the tail)' })
  keepAlivePercentile?: number;
  @ApiPropertyOptional({ minimum: 0, maximum: 1, default: H.margin, description: 'The head is lowered and the tail raised by this fraction' })
  margin?: number;
  @ApiPropertyOptional({ minimum: 0, default: H.cvThreshold, description: 'The histogram is trusted when the CV of its bin counts is at least this' })
  cvThreshold?: number;
  @ApiPropertyOptional({ minimum: 0, maximum: 1, default: H.oobThreshold, description: 'Above this fraction of out-of-range idle times the time-series branch is used' })
  oobThreshold?: number;
  @ApiPropertyOptional({ minimum: 0, maximum: 1, default: H.forecastMargin, description: 'Margin of the time-series branch' })
  forecastMargin?: number;
}

/** Fuerst and Sharma, "FaasCache", ASPLOS 2021. */
export class GreedyDualPolicySchema {
  @ApiProperty({ enum: ['greedy-dual'], description: 'FaasCache (ASPLOS 2021): evict by clock + frequency × cold cost / size' })
  kind: 'greedy-dual';
  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 0,
    maximum: 1e7,
    default: null,
    description: 'Idle limit; null: keep until evicted by memory pressure',
  })
  maxIdleMinutes?: number | null;
}

export const POLICY_SCHEMAS = [TtlPolicySchema, HybridHistogramPolicySchema, GreedyDualPolicySchema];

/** The `policy` property: one of the three kinds, told apart by `kind`. */
export const POLICY_PROPERTY = {
  oneOf: POLICY_SCHEMAS.map((s) => ({ $ref: getSchemaPath(s) })),
  discriminator: {
    propertyName: 'kind',
    mapping: {
      ttl: getSchemaPath(TtlPolicySchema),
      'hybrid-histogram': getSchemaPath(HybridHistogramPolicySchema),
      'greedy-dual': getSchemaPath(GreedyDualPolicySchema),
    },
  },
  description: 'Keep-alive policy',
  example: { kind: 'ttl', ttlMinutes: 10 },
};

const K = DEFAULT_KSM_PLAN_PARAMS;
export class KsmParamsSchema {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1e7, default: K.pagesToScan, description: '/sys/kernel/mm/ksm/pages_to_scan' })
  pagesToScan?: number;
  @ApiPropertyOptional({ minimum: 0, maximum: 1e7, default: K.sleepMs, description: '/sys/kernel/mm/ksm/sleep_millisecs' })
  sleepMs?: number;
  @ApiPropertyOptional({ type: 'integer', minimum: 2, maximum: 1 << 30, default: K.maxPageSharing, description: '/sys/kernel/mm/ksm/max_page_sharing' })
  maxPageSharing?: number;
  @ApiPropertyOptional({ default: K.useZeroPages, description: '/sys/kernel/mm/ksm/use_zero_pages' }) useZeroPages?: boolean;
  @ApiPropertyOptional({ default: K.smartScan, description: '/sys/kernel/mm/ksm/smart_scan' }) smartScan?: boolean;
  @ApiPropertyOptional({
    default: K.assumeMergeable,
    description: 'Containers opt in with prctl(PR_SET_MEMORY_MERGE): every private anonymous VMA is mergeable',
  })
  assumeMergeable?: boolean;
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: PLAN_LIMITS.maxKernelHz, default: K.hz, description: 'Kernel tick rate (CONFIG_HZ)' })
  hz?: number;
  @ApiPropertyOptional({ minimum: 0, maximum: 1e6, default: K.pageCostUs, description: 'CPU per page scanned, µs' })
  pageCostUs?: number;
  @ApiPropertyOptional({ minimum: 0, maximum: 1e6, default: K.wakeLatencyUs, description: 'ksmd wake-up latency, µs' })
  wakeLatencyUs?: number;
}

const C = DEFAULT_UPM_COSTS;
const cost = (d: number, description: string) => ({ minimum: 0, maximum: 1e9, default: d, description: `${description}, µs` });
export class UpmCostsSchema {
  @ApiPropertyOptional(cost(C.walkUs, 'One page-table walk per page address of the range')) walkUs?: number;
  @ApiPropertyOptional(cost(C.hashUs, 'xxh64 of one 4 KiB page')) hashUs?: number;
  @ApiPropertyOptional(cost(C.rmapLookupUs, 'rmap table lookup of the (process, address) registration')) rmapLookupUs?: number;
  @ApiPropertyOptional(cost(C.wrprotectUs, 'One write-protect (two per merge attempt)')) wrprotectUs?: number;
  @ApiPropertyOptional(cost(C.memcmpUs, '4 KiB memcmp')) memcmpUs?: number;
  @ApiPropertyOptional(cost(C.replaceUs, 'replace_page: PTE swap with TLB flush, rmap updates, freeing the page')) replaceUs?: number;
  @ApiPropertyOptional(cost(C.insertUs, 'A miss: two slab allocations and two hash-list inserts')) insertUs?: number;
  @ApiPropertyOptional(cost(C.staleUs, 'Deleting a stale entry')) staleUs?: number;
}

export class UpmParamsSchema {
  @ApiPropertyOptional({
    minimum: 0,
    maximum: 1e9,
    default: 0,
    description: "Delay of the madvise call after the cold start's initialisation (0: right after it)",
  })
  madviseAfterInitMs?: number;
  @ApiPropertyOptional({ type: UpmCostsSchema, nullable: true, description: 'Per-operation costs (estimates; docs/merge-models.md)' })
  costs?: UpmCostsSchema | null;
}

export class ModelParamsSchema {
  @ApiPropertyOptional({ type: KsmParamsSchema, nullable: true }) ksm?: KsmParamsSchema | null;
  @ApiPropertyOptional({ type: UpmParamsSchema, nullable: true }) upm?: UpmParamsSchema | null;
}

export class ColdStartSchema {
  @ApiPropertyOptional({ minimum: 0, maximum: 1e9, default: DEFAULT_COLD_START_MS, description: 'Cold-start time of every function, ms' })
  default?: number;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'number', minimum: 0, maximum: 1e9 },
    nullable: true,
    description: 'Function key → cold-start time in ms',
    example: { 'a1b2c3/resize': 1200 },
  })
  functions?: Record<string, number> | null;
}

export class WindowSchema {
  @ApiProperty({ description: 'Start, seconds from the start of the trace', example: 0 }) fromS: number;
  @ApiProperty({ description: 'End, seconds from the start of the trace (greater than fromS)', example: 3600 }) toS: number;
}

export class SizingSchema {
  @ApiProperty({ minimum: 0, maximum: 1, description: 'Size the fleet for at most this fraction of cold starts', example: 0.01 })
  targetColdStartRate: number;
  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    exclusiveMinimum: true,
    minimum: 0,
    description: "Memory of the hosts sized; default host.memoryGiB, or each sweep point's memory",
  })
  hostMemoryGiB?: number | null;
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: PLAN_LIMITS.maxHosts, default: DEFAULT_MAX_HOSTS, description: 'Give up above this many hosts' })
  maxHosts?: number;
}

export class SweepSchema {
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'number', exclusiveMinimum: true, minimum: 0 },
    minItems: 1,
    maxItems: PLAN_LIMITS.maxSweepValues,
    nullable: true,
    description: 'Host memories (GiB) to try',
    example: [2, 4, 8],
  })
  hostMemoryGiB?: number[] | null;
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'number', minimum: 0 },
    minItems: 1,
    maxItems: PLAN_LIMITS.maxSweepValues,
    nullable: true,
    description: "TTLs to try (needs policy.kind 'ttl')",
    example: [5, 10, 20],
  })
  ttlMinutes?: number[] | null;
}

/** A plan of 2 hosts of 4 GiB under a 10-minute TTL, one function profiled by a dump, sized for 1% cold starts. */
export const PLAN_EXAMPLE = {
  version: 1,
  trace: '6f1c2a4e-0d1b-4bb0-8f25-3a1d0c9e7b11',
  profiles: {
    functions: { 'a1b2c3/resize': ['3f0b6c1e-8a52-4d1c-9a57-2f6f1d0b8e21'] },
    rules: [{ match: { trigger: 'http' }, dumps: ['9c4d2e7a-1b3f-4e6a-8d5c-0a9b8c7d6e5f'] }],
    fallback: { sharedFraction: 0.3, percentile: 'p50' },
  },
  host: { memoryGiB: 4, count: 2 },
  policy: { kind: 'ttl', ttlMinutes: 10 },
  models: ['none', 'ksm', 'upm'],
  modelParams: { ksm: { pagesToScan: 100, sleepMs: 20 }, upm: { madviseAfterInitMs: 0 } },
  coldStartMs: { default: 500 },
  window: { fromS: 0, toS: 3600 },
  timeseriesStepS: 60,
  sizing: { targetColdStartRate: 0.01 },
};

/** A sweep: host memory × TTL, one point per combination. */
export const SWEEP_EXAMPLE = {
  trace: '6f1c2a4e-0d1b-4bb0-8f25-3a1d0c9e7b11',
  profiles: { default: ['3f0b6c1e-8a52-4d1c-9a57-2f6f1d0b8e21'] },
  host: { memoryGiB: 4, count: 2 },
  policy: { kind: 'ttl' },
  models: ['ksm', 'upm'],
  sweep: { hostMemoryGiB: [2, 4, 8], ttlMinutes: [5, 10, 20] },
};

/** Registers the nested schemas (those referenced only through oneOf need it). */
export const PlanSpecSchemas = () => ApiExtraModels(...POLICY_SCHEMAS);
