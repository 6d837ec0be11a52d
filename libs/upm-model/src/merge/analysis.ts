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
  constructor(message: string) {
    super(message);
    this.name = 'AnalysisRequestError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function int(path: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new AnalysisRequestError(`${path} must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function bool(path: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new AnalysisRequestError(`${path} must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

/** Checks every field; errors name the JSON path. Unknown keys are refused so typos do not pass silently. */
export function validateAnalysisRequest(json: unknown): AnalysisRequest {
  if (!isObject(json)) throw new AnalysisRequestError('the analysis request must be a JSON object');
  const known = ['model', 'ksm', 'timeline', 'upmCalls', 'mergeability', 'snapshot'];
  for (const k of Object.keys(json)) if (!known.includes(k)) throw new AnalysisRequestError(`${k} is not a field of an analysis request`);
  const model = json.model;
  if (typeof model !== 'string' || !(ANALYSIS_MODELS as readonly string[]).includes(model)) {
    throw new AnalysisRequestError(`model must be one of ${ANALYSIS_MODELS.join(', ')}, got ${JSON.stringify(model)}`);
  }
  const req: AnalysisRequest = { model: model as AnalysisModel };
  if (json.ksm !== undefined) {
    if (model !== 'ksm') throw new AnalysisRequestError('ksm parameters need model ksm');
    if (!isObject(json.ksm)) throw new AnalysisRequestError('ksm must be an object');
    const k = json.ksm;
    const out: AnalysisRequest['ksm'] = {};
    for (const key of Object.keys(k)) {
      const v = k[key];
      const path = `ksm.${key}`;
      switch (key) {
        case 'pagesToScan': out.pagesToScan = int(path, v, 1, 1 << 24); break;
        case 'sleepMs': out.sleepMs = int(path, v, 0, 3_600_000); break;
        case 'maxPageSharing': out.maxPageSharing = int(path, v, 2, 1 << 20); break;
        case 'stableNodeChainsPruneMs': out.stableNodeChainsPruneMs = int(path, v, 0, 3_600_000); break;
        case 'useZeroPages': out.useZeroPages = bool(path, v); break;
        case 'smartScan': out.smartScan = bool(path, v); break;
        case 'assumeMergeable': out.assumeMergeable = bool(path, v); break;
        case 'hz': out.hz = int(path, v, 1, 10_000); break;
        default: throw new AnalysisRequestError(`${path} is not a KSM parameter (known: ${[...Object.keys(KSM_DEFAULTS), 'hz', 'assumeMergeable'].join(', ')})`);
      }
    }
    req.ksm = out;
  }
  if (json.timeline !== undefined) {
    req.timeline = bool('timeline', json.timeline);
    if (req.timeline && model !== 'ksm') throw new AnalysisRequestError('timeline needs model ksm');
  }
  if (json.upmCalls !== undefined) {
    if (model !== 'upm') throw new AnalysisRequestError('upmCalls need model upm');
    if (!Array.isArray(json.upmCalls)) throw new AnalysisRequestError('upmCalls must be an array of {pid, timeMs, startTime?, ranges?}');
    req.upmCalls = json.upmCalls.map((c, i) => {
      const p = `upmCalls[${i}]`;
      if (!isObject(c)) throw new AnalysisRequestError(`${p} must be an object`);
      const call: UpmCall = { pid: int(`${p}.pid`, c.pid, 1, 2 ** 31), timeMs: 0 };
      if (typeof c.timeMs !== 'number' || !Number.isFinite(c.timeMs)) throw new AnalysisRequestError(`${p}.timeMs must be a number`);
      call.timeMs = c.timeMs;
      if (c.startTime !== undefined) call.startTime = int(`${p}.startTime`, c.startTime, 0);
      if (c.ranges !== undefined) {
        if (!Array.isArray(c.ranges)) throw new AnalysisRequestError(`${p}.ranges must be an array of [start, end) pairs`);
        call.ranges = c.ranges.map((r, j) => {
          if (!Array.isArray(r) || r.length !== 2 || !r.every((x) => Number.isSafeInteger(x) && x >= 0) || !(r[0] < r[1])) {
            throw new AnalysisRequestError(`${p}.ranges[${j}] must be [start, end) with start < end`);
          }
          return [r[0], r[1]] as [number, number];
        });
      }
      return call;
    });
  }
  if (json.mergeability !== undefined) {
    if (model !== 'sharing') throw new AnalysisRequestError('mergeability needs model sharing');
    if (json.mergeability !== 'ksm' && json.mergeability !== 'upm') throw new AnalysisRequestError('mergeability must be ksm or upm');
    req.mergeability = json.mergeability;
  }
  if (json.snapshot !== undefined) {
    if (model !== 'sharing') throw new AnalysisRequestError('snapshot needs model sharing');
    const s = json.snapshot;
    req.snapshot = s === 'first' || s === 'last' ? s : int('snapshot', s, 0);
  }
  return req;
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

/** The JSON an analysis answers with (CLI --json and API alike). */
export function analysisJson(req: AnalysisRequest, out: AnalysisResult): Record<string, unknown> {
  return out.kind === 'sharing' ? (out.report as unknown as Record<string, unknown>) : shapeMergeResult(out.result, !!req.timeline);
}
