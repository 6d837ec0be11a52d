/**
 * GENERATED from the API's OpenAPI document (apps/api/src/app.setup.ts buildOpenApiDocument) by
 * `npm run gen:api-types`; do not edit. apps/api/test/api-types.e2e-spec.ts fails when it is stale.
 */
/* eslint-disable */
export interface paths {
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Database and Redis status */
        get: operations["HealthController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics: HTTP, uploads, queue depth, worker jobs and plan points (a read key or METRICS_TOKEN) */
        get: operations["MetricsController_scrape"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/analyses": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Predict merging (none, ksm, upm) or break down sharing over stored dumps */
        post: operations["AnalysesController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/density": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** How many containers of each function fit on one host under none, KSM and UPM */
        post: operations["PlansController_density"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/dumps": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Stored dumps with their summaries (paged, newest first) */
        get: operations["DumpsController_list"];
        put?: never;
        /** Upload a page-hash dump (format v1) as the raw request body; validated while it streams */
        post: operations["DumpsController_upload"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/dumps/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A stored dump with its summary */
        get: operations["DumpsController_get"];
        put?: never;
        post?: never;
        /** Delete a dump and its stored content (409 while a queued or running plan uses it) */
        delete: operations["DeletionsController_deleteDump"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/dumps/{id}/sharing": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Sharing breakdown of the dump: memory percentage over RSS by category */
        get: operations["DumpsController_sharing"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Status of any job */
        get: operations["JobsController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/ping": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Enqueue a ping job (API → Redis → worker → database) */
        post: operations["JobsController_enqueuePing"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/plans": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Plans with their state and progress (paged, newest first) */
        get: operations["PlansController_list"];
        put?: never;
        /** Run a capacity plan: replay a trace under none, KSM and UPM (a worker job; a sweep fans out) */
        post: operations["PlansController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/plans/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A plan (by id or a unique prefix of 8+ digits): state, progress, spec and result (time series at /timeseries) */
        get: operations["PlansController_get"];
        put?: never;
        post?: never;
        /** Delete a finished plan and its results (409 while it is queued or running) */
        delete: operations["DeletionsController_deletePlan"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/plans/{id}/timeseries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Memory used and saved, and containers resident, over time per model and host (a sweep: of ?point=N) */
        get: operations["PlansController_timeseries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/traces": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Ingested traces (paged, newest first) */
        get: operations["TracesController_list"];
        put?: never;
        /** Upload a trace: the three Azure 2019 files of a day, one Azure 2021 file, or Huawei 2023 request files */
        post: operations["TracesController_upload"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/traces/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An ingested trace: functions, apps, invocations per trigger, peak per minute, join report */
        get: operations["TracesController_get"];
        put?: never;
        post?: never;
        /** Delete a trace and its stored content (409 while a queued or running plan uses it) */
        delete: operations["DeletionsController_deleteTrace"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/traces/{id}/functions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A trace's functions, most invoked first: the keys of a plan's profiles.functions (paged) */
        get: operations["TracesController_functions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/traces/{id}/profile": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Invocations per minute over the trace window, and the busiest functions */
        get: operations["TracesController_profile"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        AnalysisResponseDto: {
            /** @description The job running a large analysis */
            jobId?: string;
            /** @description Resident pages of the dumps: above the threshold an analysis becomes a job */
            residentPages: number;
            /** @description The result when answered at once (same JSON as `upm analyze --json`) */
            result?: Record<string, never> | null;
            /**
             * @description completed: answered at once; queued: a worker job (GET /v1/jobs/:jobId)
             * @enum {string}
             */
            state: "completed" | "queued";
        };
        CategoryAmountDto: {
            mib: number;
            pages: number;
            /** @description Percent of the row's resident pages */
            percentOfRss: number;
        };
        ColdStartSchema: {
            /**
             * @description Cold-start time of every function, ms
             * @default 500
             */
            default: number;
            /**
             * @description Function key → cold-start time in ms
             * @example {
             *       "a1b2c3/resize": 1200
             *     }
             */
            functions?: {
                [key: string]: number;
            } | null;
        };
        CreateAnalysisDto: {
            /** @description Dump ids */
            dumps: string[];
            /** @description ksm: pagesToScan, sleepMs, maxPageSharing, useZeroPages, smartScan, hz, assumeMergeable */
            ksm?: {
                [key: string]: unknown;
            };
            /** @enum {string} */
            mergeability?: "ksm" | "upm";
            /** @enum {string} */
            model: "none" | "ksm" | "upm" | "sharing";
            /** @description sharing: 'first', 'last' or a snapshot index */
            snapshot?: Record<string, never>;
            /** @description ksm: include the counters over time */
            timeline?: boolean;
            /** @description upm: madvise calls [{pid, timeMs, startTime?, ranges?}] */
            upmCalls?: Record<string, never>[];
        };
        CreatePlanDto: {
            /** @description Cold-start times */
            coldStartMs?: components["schemas"]["ColdStartSchema"] | null;
            /** @description The hosts */
            host: components["schemas"]["HostSchema"];
            /** @description Parameters of the ksm and upm models (defaults: the kernel's and measured ones) */
            modelParams?: components["schemas"]["ModelParamsSchema"] | null;
            models: ("none" | "ksm" | "upm")[];
            /**
             * @description Keep-alive policy
             * @example {
             *       "kind": "ttl",
             *       "ttlMinutes": 10
             *     }
             */
            policy: components["schemas"]["TtlPolicySchema"] | components["schemas"]["HybridHistogramPolicySchema"] | components["schemas"]["GreedyDualPolicySchema"];
            /** @description Which dumps stand for which functions: functions, then rules, then default, then the fallback */
            profiles: components["schemas"]["ProfilesSchema"];
            /**
             * @description Seed of the replay: an integer or any string (digits are read as the integer, as `upm plan run --seed`)
             * @default 0
             */
            seed: number | string;
            /** @description Find the fewest hosts that meet a cold-start target */
            sizing?: components["schemas"]["SizingSchema"] | null;
            /** @description One point per combination (host memory outer, TTL inner), at most 10000 */
            sweep?: components["schemas"]["SweepSchema"] | null;
            /**
             * @description Seconds between samples of the time series (at most 1000000 samples over the window)
             * @default 60
             */
            timeseriesStepS: number;
            /**
             * Format: uuid
             * @description Id of an uploaded trace
             */
            trace: string;
            /**
             * @description Plan spec version
             * @enum {number}
             */
            version?: 1;
            /**
             * @description Minutes at the start of the window replayed (containers start and stay warm) but left out of every count and rate, sizing and its floor included (default 0)
             * @default 0
             * @example 30
             */
            warmupMinutes: number;
            /** @description Replay only this part of the trace (default: all of it) */
            window?: components["schemas"]["WindowSchema"] | null;
        };
        DensityRequestDto: {
            /** @description Function name → dump ids of its containers */
            dumps: {
                [key: string]: string[];
            };
            /** @description Host memory in GiB */
            hostMemoryGiB: number;
            /**
             * @default [
             *       "none",
             *       "ksm",
             *       "upm"
             *     ]
             */
            models: ("none" | "ksm" | "upm")[];
        };
        DensityResultDto: {
            functions: components["schemas"]["DensityRowDto"][];
            /** @example 4294967296 */
            hostMemoryBytes: number;
            /** @example 4096 */
            pageSize: number;
        };
        DensityRowDto: {
            /** @description Host memory used by those containers, divided by their number */
            bytesPerContainer: {
                ksm?: number;
                none?: number;
                upm?: number;
            };
            /** @description True when maxContainers stopped the count */
            capped: {
                ksm?: boolean;
                none?: boolean;
                upm?: boolean;
            };
            /** @description Containers that fit on the host, per model */
            containers: {
                ksm?: number;
                none?: number;
                upm?: number;
            };
            /** @description Containers under the model / containers under none */
            densityVsNone: {
                ksm?: number;
                none?: number;
                upm?: number;
            };
            /** @example http-handler */
            function: string;
            processes: number;
        };
        DependencyStatusDto: {
            /** @description Why it is down */
            error?: string;
            /** @enum {string} */
            status: "up" | "down";
        };
        DumpDto: {
            bytes: number;
            /** Format: date-time */
            createdAt: string;
            /** @description True when this upload matched a dump already stored */
            deduplicated?: boolean;
            /** Format: uuid */
            id: string;
            labels: {
                [key: string]: string;
            };
            name: string;
            /** @description SHA-256 of the dump file; identical uploads are stored once */
            sha256: string;
            summary: components["schemas"]["DumpSummaryDto"];
        };
        DumpListDto: {
            items: components["schemas"]["DumpDto"][];
            total: number;
        };
        DumpSummaryDto: {
            anonPages: number;
            /** Format: date-time */
            capturedAt: string;
            distinctHashes: number;
            filePages: number;
            /** @description Hash algorithm and key id (never the key) */
            hash: Record<string, never>;
            host: Record<string, never>;
            ksmPages: number;
            pageSize: number;
            /** @description PROC sections (a process in two snapshots counts twice) */
            processes: number;
            residentPages: number;
            snapshots: number;
            swappedPages: number;
            thpPages: number;
            vmas: number;
            /** @description Resident zero-filled pages */
            zeroPages: number;
        };
        EnqueuePingDto: {
            /**
             * @description Milliseconds the worker holds the job
             * @default 0
             */
            holdMs: number;
            /** @default ping */
            message: string;
        };
        FieldErrorDto: {
            /** @example must be a positive number or null, got -1 */
            detail: string;
            /**
             * @description JSON path of the field ('' for the whole body)
             * @example host.memoryGiB
             */
            path: string;
        };
        FunctionSharingRowDto: {
            /** @description Resident pages by category (they add up to residentPages) */
            categories: {
                alreadyShared?: components["schemas"]["CategoryAmountDto"];
                duplicateCrossFunction?: components["schemas"]["CategoryAmountDto"];
                duplicateSameFunction?: components["schemas"]["CategoryAmountDto"];
                duplicateWithinProcess?: components["schemas"]["CategoryAmountDto"];
                notMergeable?: components["schemas"]["CategoryAmountDto"];
                retainedCopy?: components["schemas"]["CategoryAmountDto"];
                sharedMapping?: components["schemas"]["CategoryAmountDto"];
                unique?: components["schemas"]["CategoryAmountDto"];
                zeroFilled?: components["schemas"]["CategoryAmountDto"];
            };
            function: string;
            processes: number;
            pssAfterMiB: number;
            pssAfterPages: number;
            pssBeforeMiB: number;
            pssBeforePages: number;
            residentMiB: number;
            residentPages: number;
        };
        GreedyDualPolicySchema: {
            /**
             * @description FaasCache (ASPLOS 2021): evict by clock + frequency × cold cost / size (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            kind: "greedy-dual";
            /**
             * @description Idle limit; null: keep until evicted by memory pressure
             * @default null
             */
            maxIdleMinutes: number | null;
        };
        HealthDto: {
            database: components["schemas"]["DependencyStatusDto"];
            /** @description Names of the dependencies that are down */
            down: string[];
            redis: components["schemas"]["DependencyStatusDto"];
            /** @enum {string} */
            status: "ok" | "degraded";
        };
        HostSchema: {
            /**
             * @description Concurrent invocations per host; null: unlimited
             * @default null
             */
            cores: number | null;
            /**
             * @description Number of hosts
             * @default 1
             * @example 2
             */
            count: number;
            /**
             * @description Memory of each host in GiB; null: unlimited
             * @default null
             * @example 4
             */
            memoryGiB: number | null;
        };
        HybridHistogramPolicySchema: {
            /**
             * @description Bin width (at most rangeMinutes, at most 100000 bins)
             * @default 1
             */
            binMinutes: number;
            /**
             * @description The histogram is trusted when the CV of its bin counts is at least this
             * @default 2
             */
            cvThreshold: number;
            /**
             * @description Margin of the time-series branch
             * @default 0.15
             */
            forecastMargin: number;
            /**
             * @description Keep alive until this percentile (the tail)
             * @default 99
             */
            keepAlivePercentile: number;
            /**
             * @description Serverless in the Wild (ATC 2020): idle-time histogram per app (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            kind: "hybrid-histogram";
            /**
             * @description The head is lowered and the tail raised by this fraction
             * @default 0.1
             */
            margin: number;
            /**
             * @description Above this fraction of out-of-range idle times the time-series branch is used
             * @default 0.5
             */
            oobThreshold: number;
            /**
             * @description Pre-warm at this percentile (the head; at most keepAlivePercentile)
             * @default 5
             */
            prewarmPercentile: number;
            /**
             * @description Range of the histogram
             * @default 240
             */
            rangeMinutes: number;
        };
        JobStatusDto: {
            /** @description Attempts made so far */
            attempts: number;
            /** Format: date-time */
            createdAt: string;
            failedReason?: string | null;
            /** Format: date-time */
            finishedAt?: string | null;
            /** @example system:6f1c2a4e-0d1b-4bb0-8f25-3a1d0c9e7b11 */
            id: string;
            /** @description Attempts allowed before the job fails */
            maxAttempts: number;
            /** @example ping */
            name: string;
            progress: number;
            /** @example system */
            queue: string;
            /** @description The job result, once completed */
            result?: Record<string, never> | null;
            /** Format: date-time */
            startedAt?: string | null;
            /** @enum {string} */
            state: "waiting" | "delayed" | "active" | "completed" | "failed" | "paused" | "stuck";
        };
        KsmParamsSchema: {
            /**
             * @description Containers opt in with prctl(PR_SET_MEMORY_MERGE): every private anonymous VMA is mergeable
             * @default true
             */
            assumeMergeable: boolean;
            /**
             * @description Kernel tick rate (CONFIG_HZ)
             * @default 250
             */
            hz: number;
            /**
             * @description /sys/kernel/mm/ksm/max_page_sharing
             * @default 256
             */
            maxPageSharing: number;
            /**
             * @description CPU per page scanned, µs
             * @default 0.8
             */
            pageCostUs: number;
            /**
             * @description /sys/kernel/mm/ksm/pages_to_scan
             * @default 100
             */
            pagesToScan: number;
            /**
             * @description /sys/kernel/mm/ksm/sleep_millisecs
             * @default 20
             */
            sleepMs: number;
            /**
             * @description /sys/kernel/mm/ksm/smart_scan
             * @default true
             */
            smartScan: boolean;
            /**
             * @description /sys/kernel/mm/ksm/use_zero_pages
             * @default false
             */
            useZeroPages: boolean;
            /**
             * @description ksmd wake-up latency, µs
             * @default 20
             */
            wakeLatencyUs: number;
        };
        ModelParamsSchema: {
            ksm?: components["schemas"]["KsmParamsSchema"] | null;
            upm?: components["schemas"]["UpmParamsSchema"] | null;
        };
        PlanDto: {
            /** Format: date-time */
            completedAt?: string | null;
            /** @description False when the same plan was already stored: it is not run again */
            created?: boolean;
            /** Format: date-time */
            createdAt: string;
            error?: string | null;
            /** @description Hash of the validated plan: the same plan has the same id. Poll GET /v1/plans/:id (a unique prefix of 8+ digits also works): a plan runs as several jobs, none of which has the plan's status */
            id: string;
            /** @description Points of the sweep */
            points: number;
            pointsDone: number;
            progress: number;
            /** @description The PlanResult (timeseries at /timeseries) */
            result?: Record<string, never> | null;
            /** @description The validated plan spec with defaults applied */
            spec: Record<string, never>;
            /** @enum {string} */
            state: "queued" | "running" | "completed" | "failed";
            /** @description Headline numbers per model */
            summary?: Record<string, never> | null;
            /** Format: uuid */
            trace: string;
        };
        PlanListDto: {
            items: components["schemas"]["PlanStatusDto"][];
            total: number;
        };
        PlanSeriesDto: {
            containers: number[];
            /** @description 'all' or a host index */
            host: "all" | number;
            /** @description Highest memory since the previous sample */
            memoryPeakBytes: number[];
            memorySavedBytes: number[];
            memoryUsedBytes: number[];
            /** @enum {string} */
            model: "none" | "ksm" | "upm";
        };
        PlanStatusDto: {
            /** Format: date-time */
            completedAt?: string | null;
            /** @description False when the same plan was already stored: it is not run again */
            created?: boolean;
            /** Format: date-time */
            createdAt: string;
            error?: string | null;
            /** @description Hash of the validated plan: the same plan has the same id. Poll GET /v1/plans/:id (a unique prefix of 8+ digits also works): a plan runs as several jobs, none of which has the plan's status */
            id: string;
            /** @description Points of the sweep */
            points: number;
            pointsDone: number;
            progress: number;
            /** @enum {string} */
            state: "queued" | "running" | "completed" | "failed";
            /** @description Headline numbers per model */
            summary?: Record<string, never> | null;
            /** Format: uuid */
            trace: string;
        };
        PlanTimeseriesDto: {
            series: components["schemas"]["PlanSeriesDto"][];
            /** @example 60 */
            stepS: number;
            /** @description Sample times, seconds since the trace origin */
            t: number[];
        };
        ProblemDetailsDto: {
            /** @example invalid plan: host.memoryGiB must be a positive number or null, got -1 */
            detail: string;
            /** @description 422: each bad field of the request */
            errors?: components["schemas"]["FieldErrorDto"][];
            /** @example /v1/plans */
            instance?: string;
            /** @description The request id, also in the x-request-id header and the logs */
            requestId?: string;
            /** @example 422 */
            status: number;
            /** @example Unprocessable Content */
            title: string;
            /** @example about:blank */
            type: string;
        };
        ProcessSharingRowDto: {
            /** @description Resident pages by category (they add up to residentPages) */
            categories: {
                alreadyShared?: components["schemas"]["CategoryAmountDto"];
                duplicateCrossFunction?: components["schemas"]["CategoryAmountDto"];
                duplicateSameFunction?: components["schemas"]["CategoryAmountDto"];
                duplicateWithinProcess?: components["schemas"]["CategoryAmountDto"];
                notMergeable?: components["schemas"]["CategoryAmountDto"];
                retainedCopy?: components["schemas"]["CategoryAmountDto"];
                sharedMapping?: components["schemas"]["CategoryAmountDto"];
                unique?: components["schemas"]["CategoryAmountDto"];
                zeroFilled?: components["schemas"]["CategoryAmountDto"];
            };
            comm: string;
            function: string;
            pid: number;
            pssAfterMiB: number;
            pssAfterPages: number;
            pssBeforeMiB: number;
            pssBeforePages: number;
            residentMiB: number;
            residentPages: number;
            startTime: number;
        };
        ProfileFallbackSchema: {
            /**
             * @description Container size for functions whose trace carries no memory figures (Azure 2021, Huawei)
             * @default 170
             */
            defaultMemoryMiB: number;
            /**
             * @description Percentile of the app's committed memory (from the trace) used as the container size
             * @default p50
             * @enum {string}
             */
            percentile: "p1" | "p5" | "p25" | "p50" | "p75" | "p95" | "p99" | "p100" | "average";
            /**
             * @description Fraction of a fallback container's pages identical across containers of the same function
             * @default 0.3
             */
            sharedFraction: number;
        };
        ProfileMatchSchema: {
            /**
             * @description The app hash, exactly
             * @example a1b2c3
             */
            app?: string | null;
            /**
             * @description A regular expression tested on the function id (at least one of trigger, app, name)
             * @example ^resize-
             */
            name?: string | null;
            /**
             * @description The function's trigger
             * @example http
             * @enum {string|null}
             */
            trigger?: "http" | "timer" | "event" | "queue" | "storage" | "orchestration" | "others" | "unknown" | null;
        };
        ProfileRuleSchema: {
            /**
             * @description Dump ids whose processes stand for the matched functions
             * @example [
             *       "3f0b6c1e-8a52-4d1c-9a57-2f6f1d0b8e21"
             *     ]
             */
            dumps: string[];
            /** @description Every field given must match */
            match: components["schemas"]["ProfileMatchSchema"];
        };
        ProfilesSchema: {
            /**
             * @description For every function matched by neither `functions` nor `rules`; null: those use the fallback
             * @default null
             * @example [
             *       "3f0b6c1e-8a52-4d1c-9a57-2f6f1d0b8e21"
             *     ]
             */
            default: string[] | null;
            /** @description Functions without a dump */
            fallback?: components["schemas"]["ProfileFallbackSchema"] | null;
            /**
             * @description Function key ("<app>/<id>" or "<id>"; see GET /v1/traces/:id/functions) → dump ids
             * @example {
             *       "a1b2c3/resize": [
             *         "3f0b6c1e-8a52-4d1c-9a57-2f6f1d0b8e21"
             *       ]
             *     }
             */
            functions?: {
                [key: string]: string[];
            };
            /** @description Tried in order after `functions`: the first matching rule wins */
            rules?: components["schemas"]["ProfileRuleSchema"][];
            /**
             * @description Which snapshot of each dump gives the processes
             * @default last
             * @enum {string}
             */
            snapshot: "first" | "last";
        };
        SharingReportDto: {
            functions: components["schemas"]["FunctionSharingRowDto"][];
            /** @enum {string} */
            mergeability: "ksm" | "upm";
            /** @example 4096 */
            pageSize: number;
            /** @description Order in which a page is put in the first category that fits */
            precedence: ("alreadyShared" | "sharedMapping" | "notMergeable" | "zeroFilled" | "duplicateWithinProcess" | "duplicateSameFunction" | "duplicateCrossFunction" | "retainedCopy" | "unique")[];
            processes: components["schemas"]["ProcessSharingRowDto"][];
            snapshot: ("first" | "last") | number;
            total: components["schemas"]["SharingTotalDto"];
            warnings: string[];
        };
        SharingTotalDto: {
            /** @description Resident pages by category (they add up to residentPages) */
            categories: {
                alreadyShared?: components["schemas"]["CategoryAmountDto"];
                duplicateCrossFunction?: components["schemas"]["CategoryAmountDto"];
                duplicateSameFunction?: components["schemas"]["CategoryAmountDto"];
                duplicateWithinProcess?: components["schemas"]["CategoryAmountDto"];
                notMergeable?: components["schemas"]["CategoryAmountDto"];
                retainedCopy?: components["schemas"]["CategoryAmountDto"];
                sharedMapping?: components["schemas"]["CategoryAmountDto"];
                unique?: components["schemas"]["CategoryAmountDto"];
                zeroFilled?: components["schemas"]["CategoryAmountDto"];
            };
            physicalPagesAfter: number;
            physicalPagesBefore: number;
            pssAfterMiB: number;
            pssAfterPages: number;
            pssBeforeMiB: number;
            pssBeforePages: number;
            residentMiB: number;
            residentPages: number;
            savedBytes: number;
        };
        SizingSchema: {
            /** @description Memory of the hosts sized; default host.memoryGiB, or each sweep point's memory */
            hostMemoryGiB?: number | null;
            /**
             * @description Give up above this many hosts
             * @default 1024
             */
            maxHosts: number;
            /**
             * @description Size the fleet for at most this fraction of cold starts
             * @example 0.01
             */
            targetColdStartRate: number;
        };
        SweepSchema: {
            /**
             * @description Host memories (GiB) to try
             * @example [
             *       2,
             *       4,
             *       8
             *     ]
             */
            hostMemoryGiB?: number[] | null;
            /**
             * @description TTLs to try (needs policy.kind 'ttl')
             * @example [
             *       5,
             *       10,
             *       20
             *     ]
             */
            ttlMinutes?: number[] | null;
        };
        TraceDto: {
            /** Format: date-time */
            createdAt: string;
            /** @description On upload: true when the same files were already ingested (the stored trace is returned) */
            deduplicated?: boolean;
            files: components["schemas"]["TraceFileDto"][];
            /** @enum {string} */
            format: "azure2019" | "azure2021" | "huawei2023";
            /** Format: uuid */
            id: string;
            /** @description Azure 2019: what did not join, and why */
            joinReport?: Record<string, never> | null;
            name: string;
            /** @description Bytes uploaded */
            sourceBytes: number;
            stats: components["schemas"]["TraceStatsDto"];
            /** @description What the upload leaves to defaults (e.g. functions without a durations or memory row) */
            warnings: string[];
            /** @description Seconds since the trace origin, [startS, endS) */
            window: Record<string, never>;
        };
        TraceFileDto: {
            /** @description Rows rejected (each with line and column in errors) */
            badRows: number;
            errors: Record<string, never>[];
            file: string;
            kind: string;
            rows: number;
        };
        TraceFunctionDto: {
            app: string;
            averageDurationMs?: number | null;
            id: string;
            /** @description Invocations in the trace */
            invocations: number;
            /**
             * @description The key of profiles.functions: "<app>/<id>" (or "<id>" alone)
             * @example app1/func1
             */
            key: string;
            memory?: components["schemas"]["TraceFunctionMemoryDto"] | null;
            /** @enum {string} */
            trigger: "http" | "timer" | "event" | "queue" | "storage" | "orchestration" | "others" | "unknown";
        };
        TraceFunctionListDto: {
            /** @description Most invoked first */
            items: components["schemas"]["TraceFunctionDto"][];
            total: number;
        };
        TraceFunctionMemoryDto: {
            averageMb?: number | null;
            p50Mb?: number | null;
            /**
             * @description Whose memory the figures are
             * @enum {string}
             */
            scope: "app" | "function";
        };
        TraceListDto: {
            items: components["schemas"]["TraceDto"][];
            total: number;
        };
        TraceProfileDto: {
            /** @description Seconds since the trace origin of the first minute of perMinute */
            firstMinuteS: number;
            /** @description Invocations started in each minute of the window */
            perMinute: number[];
            /** @description Busiest functions, most invocations first */
            top: components["schemas"]["TraceTopFunctionDto"][];
        };
        TraceStatsDto: {
            apps: number;
            functions: number;
            functionsByTrigger: {
                [key: string]: number;
            };
            /** @description Exact invocation total */
            invocations: number;
            invocationsByTrigger: {
                [key: string]: number;
            };
            owners?: number | null;
            peakInvocationsPerMinute: number;
            peakMinuteStartS?: number | null;
            /** @description Rows and functions that did not join (Azure 2019) */
            unjoined: number;
        };
        TraceTopFunctionDto: {
            app: string;
            id: string;
            invocations: number;
            trigger: string;
        };
        TtlPolicySchema: {
            /**
             * @description Keep an idle container for a fixed time (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            kind: "ttl";
            /**
             * @default 10
             * @example 10
             */
            ttlMinutes: number;
        };
        UpmCostsSchema: {
            /**
             * @description xxh64 of one 4 KiB page, µs
             * @default 0.5
             */
            hashUs: number;
            /**
             * @description A miss: two slab allocations and two hash-list inserts, µs
             * @default 0.25
             */
            insertUs: number;
            /**
             * @description 4 KiB memcmp, µs
             * @default 0.15
             */
            memcmpUs: number;
            /**
             * @description replace_page: PTE swap with TLB flush, rmap updates, freeing the page, µs
             * @default 0.6
             */
            replaceUs: number;
            /**
             * @description rmap table lookup of the (process, address) registration, µs
             * @default 0.03
             */
            rmapLookupUs: number;
            /**
             * @description Deleting a stale entry, µs
             * @default 0.1
             */
            staleUs: number;
            /**
             * @description One page-table walk per page address of the range, µs
             * @default 0.05
             */
            walkUs: number;
            /**
             * @description One write-protect (two per merge attempt), µs
             * @default 0.15
             */
            wrprotectUs: number;
        };
        UpmParamsSchema: {
            /** @description Per-operation costs (estimates; docs/merge-models.md) */
            costs?: components["schemas"]["UpmCostsSchema"] | null;
            /**
             * @description Delay of the madvise call after the cold start's initialisation (0: right after it)
             * @default 0
             */
            madviseAfterInitMs: number;
        };
        WindowSchema: {
            /**
             * @description Start, seconds from the start of the trace
             * @example 0
             */
            fromS: number;
            /**
             * @description End, seconds from the start of the trace (greater than fromS)
             * @example 3600
             */
            toS: number;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    HealthController_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Everything is up */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HealthDto"];
                };
            };
            /** @description A dependency (Redis, the database) is down: retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    MetricsController_scrape: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prometheus text exposition format */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description No API key, or an unknown one (once keys exist): the detail names the scope needed */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The key lacks the scope needed (requiredScope) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    AnalysesController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateAnalysisDto"];
            };
        };
        responses: {
            /** @description Answered at once */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AnalysisResponseDto"];
                };
            };
            /** @description Large: running as a worker job */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AnalysisResponseDto"];
                };
            };
            /** @description Malformed request: the body is not JSON */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No API key, or an unknown one (once keys exist): the detail names the scope needed */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The key lacks the scope needed (requiredScope) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Invalid input (a bad or unknown field, a query parameter of the wrong type): errors lists each {path, detail} */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Past a rate limit (RATE_LIMIT_PER_ADDRESS, RATE_LIMIT_PER_KEY): retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds until the limit resets */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency (Redis, the database) is down: retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    PlansController_density: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DensityRequestDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DensityResultDto"];
                };
            };
            /** @description Malformed request: the body is not JSON */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No API key, or an unknown one (once keys exist): the detail names the scope needed */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The key lacks the scope needed (requiredScope) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Invalid input (a bad or unknown field, a query parameter of the wrong type): errors lists each {path, detail} */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Past a rate limit (RATE_LIMIT_PER_ADDRESS, RATE_LIMIT_PER_KEY): retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds until the limit resets */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    DumpsController_list: {
        parameters: {
            query?: {
                limit?: number;
                offset?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DumpListDto"];
                };
            };
            /** @description No API key, or an unknown one (once keys exist): the detail names the scope needed */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The key lacks the scope needed (requiredScope) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Invalid input (a bad or unknown field, a query parameter of the wrong type): errors lists each {path, detail} */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Past a rate limit (RATE_LIMIT_PER_ADDRESS, RATE_LIMIT_PER_KEY): retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds until the limit resets */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    DumpsController_upload: {
        parameters: {
            query?: {
                /** @description A name for the dump (default: its function label, or "dump") */
                name?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/octet-stream": string;
            };
        };
        responses: {
            /** @description Stored, or matched an identical stored dump (deduplicated: true) */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DumpDto"];
                };
            };
            /** @description Malformed request: the body is not JSON */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No API key, or an unknown one (once keys exist): the detail names the scope needed */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The key lacks the scope needed (requiredScope) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Larger than UPLOAD_MAX_BYTES */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Wrong content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Invalid input (a bad or unknown field, a query parameter of the wrong type): errors lists each {path, detail} */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Past a rate limit (RATE_LIMIT_PER_ADDRESS, RATE_LIMIT_PER_KEY): retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds until the limit resets */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    DumpsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /**
             * @example {
             *       "id": "3f0b6c1e-8a52-4d1c-9a57-2f6f1d0b8e21",
             *       "sha256": "9b1d5f0c3e7a2b4d6f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6",
             *       "name": "image-recognition",
             *       "bytes": 2285568,
             *       "labels": {
             *         "function": "image-recognition"
             *       },
             *       "summary": {
             *         "snapshots": 1,
             *         "processes": 4,
             *         "vmas": 412,
             *         "residentPages": 61844,
             *         "distinctHashes": 30122,
             *         "zeroPages": 3310,
             *         "ksmPages": 0,
             *         "anonPages": 40211,
             *         "filePages": 21633,
             *         "swappedPages": 0,
             *         "thpPages": 0,
             *         "pageSize": 4096,
             *         "hash": {
             *           "algorithm": "xxh3-64-secret",
             *           "keyId": "944a5fbc13234cbb",
             *           "defaultKey": true
             *         },
             *         "host": {
             *           "hostname": "bench-1",
             *           "kernelRelease": "6.12.0-upm",
             *           "pfnReadable": true,
             *           "pageFlagsReadable": true
             *         },
             *         "capturedAt": "2026-12-02T18:03:55.000Z"
             *       },
             *       "createdAt": "2026-12-03T07:41:02.000Z"
             *     }
             */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "3f0b6c1e-8a52-4d1c-9a57-2f6f1d0b8e21",
                     *       "sha256": "9b1d5f0c3e7a2b4d6f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6",
                     *       "name": "image-recognition",
                     *       "bytes": 2285568,
                     *       "labels": {
                     *         "function": "image-recognition"
                     *       },
                     *       "summary": {
                     *         "snapshots": 1,
                     *         "processes": 4,
                     *         "vmas": 412,
                     *         "residentPages": 61844,
                     *         "distinctHashes": 30122,
                     *         "zeroPages": 3310,
                     *         "ksmPages": 0,
                     *         "anonPages": 40211,
                     *         "filePages": 21633,
                     *         "swappedPages": 0,
                     *         "thpPages": 0,
                     *         "pageSize": 4096,
                     *         "hash": {
                     *           "algorithm": "xxh3-64-secret",
                     *           "keyId": "944a5fbc13234cbb",
                     *           "defaultKey": true
                     *         },
                     *         "host": {
                     *           "hostname": "bench-1",
                     *           "kernelRelease": "6.12.0-upm",
                     *           "pfnReadable": true,
                     *           "pageFlagsReadable": true
                     *         },
                     *         "capturedAt": "2026-12-02T18:03:55.000Z"
                     *       },
                     *       "createdAt": "2026-12-03T07:41:02.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["DumpDto"];
                };
            };
            /** @description No API key, or an unknown one (once keys exist): the detail names the scope needed */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The key lacks the scope needed (requiredScope) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Past a rate limit (RATE_LIMIT_PER_ADDRESS, RATE_LIMIT_PER_KEY): retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds until the limit resets */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    DeletionsController_deleteDump: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description No API key, or an unknown one (once keys exist): the detail names the scope needed */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The key lacks the scope needed (requiredScope) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Conflicts with the stored state (e.g. an id prefix matching several plans) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Past a rate limit (RATE_LIMIT_PER_ADDRESS, RATE_LIMIT_PER_KEY): retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds until the limit resets */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    DumpsController_sharing: {
        parameters: {
            query?: {
                /** @description Whose rules decide what can merge */
                mergeability?: "ksm" | "upm";
                /** @description Which snapshot: 'first', 'last' (default) or its index from 0 */
                snapshot?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SharingReportDto"];
                };
            };
            /** @description No API key, or an unknown one (once keys exist): the detail names the scope needed */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The key lacks the scope needed (requiredScope) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Invalid input (a bad or unknown field, a query parameter of the wrong type): errors lists each {path, detail} */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Past a rate limit (RATE_LIMIT_PER_ADDRESS, RATE_LIMIT_PER_KEY): retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds until the limit resets */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    JobsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobStatusDto"];
                };
            };
            /** @description No API key, or an unknown one (once keys exist): the detail names the scope needed */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The key lacks the scope needed (requiredScope) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Past a rate limit (RATE_LIMIT_PER_ADDRESS, RATE_LIMIT_PER_KEY): retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds until the limit resets */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency (Redis, the database) is down: retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    JobsController_enqueuePing: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EnqueuePingDto"];
            };
        };
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobStatusDto"];
                };
            };
            /** @description Malformed request: the body is not JSON */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No API key, or an unknown one (once keys exist): the detail names the scope needed */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The key lacks the scope needed (requiredScope) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Invalid input (a bad or unknown field, a query parameter of the wrong type): errors lists each {path, detail} */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Past a rate limit (RATE_LIMIT_PER_ADDRESS, RATE_LIMIT_PER_KEY): retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds until the limit resets */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency (Redis, the database) is down: retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    PlansController_list: {
        parameters: {
            query?: {
                limit?: number;
                offset?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PlanListDto"];
                };
            };
            /** @description No API key, or an unknown one (once keys exist): the detail names the scope needed */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The key lacks the scope needed (requiredScope) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Invalid input (a bad or unknown field, a query parameter of the wrong type): errors lists each {path, detail} */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Past a rate limit (RATE_LIMIT_PER_ADDRESS, RATE_LIMIT_PER_KEY): retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds until the limit resets */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    PlansController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreatePlanDto"];
            };
        };
        responses: {
            /**
             * @example {
             *       "id": "44325d3fc5b8a1e0c9f7d6b5a4e3c2b1a09f8e7d6c5b4a3928171605f4e3d2c1",
             *       "state": "queued",
             *       "progress": 0,
             *       "points": 1,
             *       "pointsDone": 0,
             *       "trace": "6f1c2a4e-0d1b-4bb0-8f25-3a1d0c9e7b11",
             *       "error": null,
             *       "summary": null,
             *       "createdAt": "2026-12-03T07:55:00.000Z",
             *       "completedAt": null,
             *       "created": true
             *     }
             */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "44325d3fc5b8a1e0c9f7d6b5a4e3c2b1a09f8e7d6c5b4a3928171605f4e3d2c1",
                     *       "state": "queued",
                     *       "progress": 0,
                     *       "points": 1,
                     *       "pointsDone": 0,
                     *       "trace": "6f1c2a4e-0d1b-4bb0-8f25-3a1d0c9e7b11",
                     *       "error": null,
                     *       "summary": null,
                     *       "createdAt": "2026-12-03T07:55:00.000Z",
                     *       "completedAt": null,
                     *       "created": true
                     *     }
                     */
                    "application/json": components["schemas"]["PlanStatusDto"];
                };
            };
            /** @description Malformed request: the body is not JSON */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No API key, or an unknown one (once keys exist): the detail names the scope needed */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The key lacks the scope needed (requiredScope) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Wrong content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Invalid input (a bad or unknown field, a query parameter of the wrong type): errors lists each {path, detail} */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Past a rate limit (RATE_LIMIT_PER_ADDRESS, RATE_LIMIT_PER_KEY): retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds until the limit resets */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description A dependency (Redis, the database) is down: retry later */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    PlansController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PlanDto"];
                };
            };
            /** @description No API key, or an unknown one (once keys exist): the detail names the scope needed */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The key lacks the scope needed (requiredScope) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Conflicts with the stored state (e.g. an id prefix matching several plans) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Past a rate limit (RATE_LIMIT_PER_ADDRESS, RATE_LIMIT_PER_KEY): retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds until the limit resets */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    DeletionsController_deletePlan: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description No API key, or an unknown one (once keys exist): the detail names the scope needed */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The key lacks the scope needed (requiredScope) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Conflicts with the stored state (e.g. an id prefix matching several plans) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Past a rate limit (RATE_LIMIT_PER_ADDRESS, RATE_LIMIT_PER_KEY): retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds until the limit resets */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    PlansController_timeseries: {
        parameters: {
            query?: {
                format?: "json" | "csv";
                /** @description A sweep's point (result.sweep.points[i].index); required for a sweep */
                point?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description JSON; with format=csv one row per sample and series */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PlanTimeseriesDto"];
                    "text/csv": components["schemas"]["PlanTimeseriesDto"];
                };
            };
            /** @description No API key, or an unknown one (once keys exist): the detail names the scope needed */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The key lacks the scope needed (requiredScope) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Conflicts with the stored state (e.g. an id prefix matching several plans) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Invalid input (a bad or unknown field, a query parameter of the wrong type): errors lists each {path, detail} */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Past a rate limit (RATE_LIMIT_PER_ADDRESS, RATE_LIMIT_PER_KEY): retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds until the limit resets */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    TracesController_list: {
        parameters: {
            query?: {
                limit?: number;
                offset?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TraceListDto"];
                };
            };
            /** @description No API key, or an unknown one (once keys exist): the detail names the scope needed */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The key lacks the scope needed (requiredScope) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Invalid input (a bad or unknown field, a query parameter of the wrong type): errors lists each {path, detail} */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Past a rate limit (RATE_LIMIT_PER_ADDRESS, RATE_LIMIT_PER_KEY): retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds until the limit resets */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    TracesController_upload: {
        parameters: {
            query?: {
                format?: "auto" | "azure2019" | "azure2021" | "huawei2023";
                name?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    files?: string[];
                };
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TraceDto"];
                };
            };
            /** @description Malformed request: the body is not JSON */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No API key, or an unknown one (once keys exist): the detail names the scope needed */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The key lacks the scope needed (requiredScope) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Larger than UPLOAD_MAX_BYTES */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Wrong content type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Invalid input (a bad or unknown field, a query parameter of the wrong type): errors lists each {path, detail} */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Past a rate limit (RATE_LIMIT_PER_ADDRESS, RATE_LIMIT_PER_KEY): retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds until the limit resets */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    TracesController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /**
             * @example {
             *       "id": "6f1c2a4e-0d1b-4bb0-8f25-3a1d0c9e7b11",
             *       "name": "azure-2019-day01",
             *       "format": "azure2019",
             *       "sourceBytes": 1843200,
             *       "window": {
             *         "startS": 0,
             *         "endS": 86400
             *       },
             *       "stats": {
             *         "functions": 500,
             *         "apps": 312,
             *         "owners": 201,
             *         "invocations": 1289344,
             *         "functionsByTrigger": {
             *           "http": 298,
             *           "timer": 121,
             *           "queue": 48,
             *           "event": 21,
             *           "storage": 8,
             *           "others": 4
             *         },
             *         "invocationsByTrigger": {
             *           "http": 903112,
             *           "timer": 174520,
             *           "queue": 150887,
             *           "event": 48210,
             *           "storage": 9831,
             *           "others": 2784
             *         },
             *         "peakInvocationsPerMinute": 2212,
             *         "peakMinuteStartS": 51360,
             *         "unjoined": 0
             *       },
             *       "joinReport": null,
             *       "warnings": [],
             *       "files": [
             *         {
             *           "file": "invocations_per_function_md.anon.d01.csv",
             *           "kind": "invocations",
             *           "rows": 500,
             *           "badRows": 0,
             *           "errors": []
             *         },
             *         {
             *           "file": "function_durations_percentiles.anon.d01.csv",
             *           "kind": "durations",
             *           "rows": 500,
             *           "badRows": 0,
             *           "errors": []
             *         },
             *         {
             *           "file": "app_memory_percentiles.anon.d01.csv",
             *           "kind": "memory",
             *           "rows": 312,
             *           "badRows": 0,
             *           "errors": []
             *         }
             *       ],
             *       "createdAt": "2026-12-03T07:40:12.000Z"
             *     }
             */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "6f1c2a4e-0d1b-4bb0-8f25-3a1d0c9e7b11",
                     *       "name": "azure-2019-day01",
                     *       "format": "azure2019",
                     *       "sourceBytes": 1843200,
                     *       "window": {
                     *         "startS": 0,
                     *         "endS": 86400
                     *       },
                     *       "stats": {
                     *         "functions": 500,
                     *         "apps": 312,
                     *         "owners": 201,
                     *         "invocations": 1289344,
                     *         "functionsByTrigger": {
                     *           "http": 298,
                     *           "timer": 121,
                     *           "queue": 48,
                     *           "event": 21,
                     *           "storage": 8,
                     *           "others": 4
                     *         },
                     *         "invocationsByTrigger": {
                     *           "http": 903112,
                     *           "timer": 174520,
                     *           "queue": 150887,
                     *           "event": 48210,
                     *           "storage": 9831,
                     *           "others": 2784
                     *         },
                     *         "peakInvocationsPerMinute": 2212,
                     *         "peakMinuteStartS": 51360,
                     *         "unjoined": 0
                     *       },
                     *       "joinReport": null,
                     *       "warnings": [],
                     *       "files": [
                     *         {
                     *           "file": "invocations_per_function_md.anon.d01.csv",
                     *           "kind": "invocations",
                     *           "rows": 500,
                     *           "badRows": 0,
                     *           "errors": []
                     *         },
                     *         {
                     *           "file": "function_durations_percentiles.anon.d01.csv",
                     *           "kind": "durations",
                     *           "rows": 500,
                     *           "badRows": 0,
                     *           "errors": []
                     *         },
                     *         {
                     *           "file": "app_memory_percentiles.anon.d01.csv",
                     *           "kind": "memory",
                     *           "rows": 312,
                     *           "badRows": 0,
                     *           "errors": []
                     *         }
                     *       ],
                     *       "createdAt": "2026-12-03T07:40:12.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["TraceDto"];
                };
            };
            /** @description No API key, or an unknown one (once keys exist): the detail names the scope needed */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The key lacks the scope needed (requiredScope) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Past a rate limit (RATE_LIMIT_PER_ADDRESS, RATE_LIMIT_PER_KEY): retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds until the limit resets */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    DeletionsController_deleteTrace: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description No API key, or an unknown one (once keys exist): the detail names the scope needed */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The key lacks the scope needed (requiredScope) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Conflicts with the stored state (e.g. an id prefix matching several plans) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Past a rate limit (RATE_LIMIT_PER_ADDRESS, RATE_LIMIT_PER_KEY): retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds until the limit resets */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    TracesController_functions: {
        parameters: {
            query?: {
                limit?: number;
                offset?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TraceFunctionListDto"];
                };
            };
            /** @description No API key, or an unknown one (once keys exist): the detail names the scope needed */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The key lacks the scope needed (requiredScope) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Invalid input (a bad or unknown field, a query parameter of the wrong type): errors lists each {path, detail} */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Past a rate limit (RATE_LIMIT_PER_ADDRESS, RATE_LIMIT_PER_KEY): retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds until the limit resets */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
    TracesController_profile: {
        parameters: {
            query?: {
                /** @description How many busiest functions to list */
                top?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TraceProfileDto"];
                };
            };
            /** @description No API key, or an unknown one (once keys exist): the detail names the scope needed */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description The key lacks the scope needed (requiredScope) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Invalid input (a bad or unknown field, a query parameter of the wrong type): errors lists each {path, detail} */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
            /** @description Past a rate limit (RATE_LIMIT_PER_ADDRESS, RATE_LIMIT_PER_KEY): retry after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds until the limit resets */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["ProblemDetailsDto"];
                };
            };
        };
    };
}
