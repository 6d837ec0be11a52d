/**
 * One analysis request, as the CLI (`upm analyze`), the API (POST /v1/analyses) and the worker run it:
 * validation with path-named errors, the model run, and the JSON shape of the result.
 */
import type { Dump } from '../dump/types';
import { analyzeSharing, type SharingReport } from '../sharing/sharing-analysis';
import type { MergeResultBase, ModelProgress } from './common/types';
import { KSM_DEFAULTS, runKsmModel, type KsmParams, type KsmResult } from './ksm/ksm-model';
import { runNoneModel } from './none/none-model';
import { runUpmModel, type UpmCall } from './upm/upm-model';
import { arrayOf, boolean, BOOLEAN, check, fieldOf, isObject, numberRule, object, oneOf, Rule, ValidationError } from '../validation';

export const ANALYSIS_MODELS = ['none', 'ksm', 'upm', 'sharing'] as const;
export type AnalysisModel = (typeof ANALYSIS_MODELS)[number];

export interface AnalysisRequest {
  model: AnalysisModel;
  /** ksm: knobs of /sys/kernel/mm/ksm (defaults: the dump header, else the kernel's defaults). */
  ksm?: Partial<KsmParams> & { hz?: number; assumeMergeable?: boolean };
  /** ksm: include the counters over time. */
  timeline?: boolean;
  /** upm: the madvise calls (default: each process when first seen, over all its private VMAs). */
  upmCalls?: UpmCall[];
  /** sharing: which merge rules decide what can merge, and which snapshot of each dump. */
  mergeability?: 'ksm' | 'upm';
  snapshot?: 'first' | 'last' | number;
}

export class AnalysisRequestError extends Error {
  constructor(
    message: string,
    /** JSON path of the bad field, when the error is about one field. */
    readonly path?: string,
  ) {
    super(message);
    this.name = 'AnalysisRequestError';
  }
}

/** "a whole number from 1 to 16777216": the wording the API documents for analysis parameters. */
function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER): Rule<number> {
  return numberRule({ int: true, min, max, what: `a whole number from ${min} to ${max}` });
}
const PID = wholeNumber(1, 2 ** 31);
const COUNT = wholeNumber(0);

/** The KSM knobs an analysis may set, each with its rule. */
const KSM_FIELDS: Record<string, Rule<number> | Rule<boolean>> = {
  pagesToScan: wholeNumber(1, 1 << 24),
  sleepMs: wholeNumber(0, 3_600_000),
  maxPageSharing: wholeNumber(2, 1 << 20),
  stableNodeChainsPruneMs: wholeNumber(0, 3_600_000),
  useZeroPages: BOOLEAN,
  smartScan: BOOLEAN,
  assumeMergeable: BOOLEAN,
  hz: wholeNumber(1, 10_000),
};

const REQUEST_FIELDS = ['model', 'ksm', 'timeline', 'upmCalls', 'mergeability', 'snapshot'];

/** Checks every field; errors name the JSON path. Unknown keys are refused so typos do not pass silently. */
export function validateAnalysisRequest(json: unknown): AnalysisRequest {
  if (!isObject(json)) throw new AnalysisRequestError('the analysis request must be a JSON object');
  try {
    return validateRequest(json);
  } catch (e) {
    if (e instanceof ValidationError) throw new AnalysisRequestError(e.message, e.path);
    throw e;
  }
}

function validateRequest(json: Record<string, unknown>): AnalysisRequest {
  object(json, '', REQUEST_FIELDS);
  const model = oneOf(json.model, 'model', ANALYSIS_MODELS, `one of ${ANALYSIS_MODELS.join(', ')}`);
  const req: AnalysisRequest = { model };
  if (json.ksm !== undefined) {
    if (model !== 'ksm') throw new AnalysisRequestError('ksm parameters need model ksm');
    const k = object(json.ksm, 'ksm');
    const out: Record<string, number | boolean> = {};
    for (const key of Object.keys(k)) {
      const rule = Object.prototype.hasOwnProperty.call(KSM_FIELDS, key) ? KSM_FIELDS[key] : undefined;
      if (!rule)
        throw new AnalysisRequestError(
          `ksm.${key} is not a KSM parameter (known: ${[...Object.keys(KSM_DEFAULTS), 'hz', 'assumeMergeable'].join(', ')})`,
        );
      out[key] = check<number | boolean>(k[key], `ksm.${key}`, rule);
    }
    req.ksm = out as AnalysisRequest['ksm'];
  }
  if (json.timeline !== undefined) {
    req.timeline = boolean(json.timeline, 'timeline');
    if (req.timeline && model !== 'ksm') throw new AnalysisRequestError('timeline needs model ksm');
  }
  if (json.upmCalls !== undefined) {
    if (model !== 'upm') throw new AnalysisRequestError('upmCalls need model upm');
    req.upmCalls = arrayOf(json.upmCalls, 'upmCalls', upmCall, { what: 'an array of {pid, timeMs, startTime?, ranges?}' });
  }
  if (json.mergeability !== undefined) {
    if (model !== 'sharing') throw new AnalysisRequestError('mergeability needs model sharing');
    req.mergeability = oneOf(json.mergeability, 'mergeability', ['ksm', 'upm'] as const, 'ksm or upm');
  }
  if (json.snapshot !== undefined) {
    if (model !== 'sharing') throw new AnalysisRequestError('snapshot needs model sharing');
    const s = json.snapshot;
    req.snapshot = s === 'first' || s === 'last' ? s : check(s, 'snapshot', COUNT);
  }
  return req;
}

const FINITE = numberRule({});
const RANGE: Rule<[number, number]> = {
  test: (r): r is [number, number] =>
    Array.isArray(r) && r.length === 2 && r.every((x) => Number.isSafeInteger(x) && x >= 0) && r[0] < r[1],
  expected: '[start, end) with start < end',
};

/** One madvise call of an analysis request or of `upm analyze --calls FILE`. */
export function upmCall(v: unknown, p: string): UpmCall {
  const c = object(v, p);
  const call: UpmCall = { pid: fieldOf(c, 'pid', p, PID), timeMs: fieldOf(c, 'timeMs', p, FINITE) };
  if (c.startTime !== undefined) call.startTime = check(c.startTime, `${p}.startTime`, COUNT);
  if (c.ranges !== undefined)
    call.ranges = arrayOf(c.ranges, `${p}.ranges`, RANGE, { what: 'an array of [start, end) pairs' }).map((r) => [r[0], r[1]]);
  return call;
}

/** The JSON shape of a model result: the common keys first, then the model's own; the KSM timeline on request. */
export function shapeMergeResult(r: MergeResultBase, timeline: boolean): Record<string, unknown> {
  const common = {
    model: r.model,
    residentPages: r.residentPages,
    physicalPagesBefore: r.physicalPagesBefore,
    physicalPagesAfter: r.physicalPagesAfter,
    savedBytes: r.savedBytes,
    pagesShared: r.pagesShared,
    pagesSharing: r.pagesSharing,
  };
  const rest: Record<string, unknown> = { ...r };
  if (r.model === 'ksm') {
    const k = r as KsmResult;
    delete rest.timeline;
    if (timeline) {
      rest.timeline = k.timeline.map((p) => ({ t: p.t, pagesShared: p.pagesShared, pagesSharing: p.pagesSharing, fullScans: p.fullScans }));
    }
  }
  return { ...common, ...rest };
}

export type AnalysisResult = { kind: 'model'; result: MergeResultBase } | { kind: 'sharing'; report: SharingReport };

/** Runs a validated request over loaded dumps. */
export function runAnalysis(
  req: AnalysisRequest,
  dumps: Dump[],
  hooks: { onProgress?: (p: ModelProgress) => void; signal?: AbortSignal } = {},
): AnalysisResult {
  if (typeof req.snapshot === 'number') {
    dumps.forEach((d, i) => {
      if ((req.snapshot as number) >= d.snapshots.length)
        throw new AnalysisRequestError(
          `snapshot must be less than ${d.snapshots.length} (dump ${i + 1} of ${dumps.length} has ${d.snapshots.length} snapshot${d.snapshots.length === 1 ? '' : 's'}: 0..${d.snapshots.length - 1}), got ${req.snapshot}`,
        );
    });
  }
  switch (req.model) {
    case 'sharing':
      return {
        kind: 'sharing',
        report: analyzeSharing(dumps, {
          mergeability: req.mergeability ?? 'upm',
          snapshot: req.snapshot,
          signal: hooks.signal,
          onProgress: hooks.onProgress && ((done, total) => hooks.onProgress!({ phase: 'sharing', done, total })),
        }),
      };
    case 'none':
      return { kind: 'model', result: runNoneModel(dumps, hooks) };
    case 'upm':
      return { kind: 'model', result: runUpmModel(dumps, { calls: req.upmCalls, ...hooks }) };
    case 'ksm': {
      const { hz, assumeMergeable, ...params } = req.ksm ?? {};
      return {
        kind: 'model',
        result: runKsmModel(dumps, { params, timing: hz ? { hz } : undefined, assumeMergeable: !!assumeMergeable, ...hooks }) as KsmResult,
      };
    }
  }
}

/** What an analysis answers with: the sharing report, or a model's result shaped for JSON. */
export type AnalysisJson = SharingReport | Record<string, unknown>;

/** The JSON an analysis answers with (CLI --json and API alike). */
export function analysisJson(req: AnalysisRequest, out: AnalysisResult): AnalysisJson {
  return out.kind === 'sharing' ? out.report : shapeMergeResult(out.result, !!req.timeline);
}
