import { DumpFormatError, PlanSpecError, synthesizeDump } from '@upm/model';
import { sampleDumpSpec } from '@upm/model/dump/test-dumps';
import { ComputeRunner } from './compute-runner';
import { rebuildError, serializeError, type InputRef } from './compute.tasks';
import { InputCache, retainedBytes } from '@upm/platform/inputs/input-cache';

const bytes = new Uint8Array(synthesizeDump(sampleDumpSpec()));
const ref: InputRef = { kind: 'dump', id: 'd1', sha256: 'a'.repeat(64), name: 'dump d1' };
const task = { kind: 'sharing' as const, request: { model: 'sharing' }, dump: ref };

describe('ComputeRunner', () => {
  it('asks for the bytes of an input it lacks, then decodes it once and answers from its cache', () => {
    const runner = new ComputeRunner(1 << 30);
    expect(runner.run({ task })).toEqual({ missing: [ref.sha256] });
    const first = runner.run({ task, blobs: { [ref.sha256]: bytes } });
    expect(first).toMatchObject({ ok: true, decoded: 1 });
    const again = runner.run({ task });
    expect(again).toMatchObject({ ok: true, decoded: 0 });
    expect(again).toEqual({ ...first, decoded: 0 });
  });

  it('over its budget keeps nothing, and still answers a task whose bytes it was sent', () => {
    const runner = new ComputeRunner(16);
    expect(runner.run({ task, blobs: { [ref.sha256]: bytes } })).toMatchObject({ ok: true, decoded: 1 });
    expect(runner.cached.entries).toBe(0);
    expect(runner.run({ task })).toEqual({ missing: [ref.sha256] });
  });

  it('answers a malformed dump with its DumpFormatError as data, rebuilt as the same class', () => {
    const runner = new ComputeRunner(1 << 30);
    const reply = runner.run({ task, blobs: { [ref.sha256]: bytes.subarray(0, bytes.length - 7) } });
    if (!('ok' in reply) || reply.ok) throw new Error(`expected an error reply, got ${JSON.stringify(reply)}`);
    const e = rebuildError(reply.error);
    expect(e).toBeInstanceOf(DumpFormatError);
    expect((e as DumpFormatError).source).toBe('dump d1');
    expect(e.message).toMatch(/^dump d1: /);
  });
});

describe('domain errors across threads', () => {
  it('keep class, message and fields; other errors become plain Errors', () => {
    const spec = rebuildError(serializeError(new PlanSpecError('host.count', 'must be a positive integer, got 0')));
    expect(spec).toBeInstanceOf(PlanSpecError);
    expect(spec.message).toBe(new PlanSpecError('host.count', 'must be a positive integer, got 0').message);
    expect((spec as PlanSpecError & Record<string, unknown>).path).toBe('host.count');
    const other = rebuildError(serializeError(new RangeError('boom')));
    expect(other).not.toBeInstanceOf(RangeError);
    expect(other.message).toBe('boom');
  });
});

describe('retainedBytes', () => {
  it('counts each ArrayBuffer reachable through objects, arrays and maps once, whole even when only viewed', () => {
    const shared = new ArrayBuffer(4096);
    const value = {
      a: new Uint8Array(shared, 0, 16),
      list: [new Float64Array(shared, 1024, 8), { deep: new Uint32Array(100) }],
      m: new Map([['k', new Uint16Array(10)]]),
      name: 'strings are not counted',
    };
    expect(retainedBytes(value)).toBe(4096 + 400 + 20);
    const loop: Record<string, unknown> = { x: new Uint8Array(8) };
    loop.self = loop;
    expect(retainedBytes(loop)).toBe(8);
  });

  it('counts a decoded dump of 50,000 pages by its columns: more than its stored bytes', () => {
    const big = new Uint8Array(synthesizeDump({ processes: [{ pid: 1, vmas: [{ pages: Array.from({ length: 50_000 }, (_, i) => i + 1) }] }] }));
    const runner = new ComputeRunner(1 << 30);
    expect(runner.run({ task, blobs: { [ref.sha256]: big } })).toMatchObject({ ok: true });
    // at least the columns: page index (8 bytes), hash (8), VMA (4) and flags (1) a page
    expect(runner.cached.bytes).toBeGreaterThanOrEqual(50_000 * 21);
    expect(runner.cached.bytes).toBeGreaterThan(big.byteLength);
  });
});

describe('InputCache', () => {
  it('drops the least recently used entry past its byte budget', () => {
    const c = new InputCache<string>(10);
    c.set('a', 'A', 4);
    c.set('b', 'B', 4);
    expect(c.get('a')).toBe('A'); // a is now the most recent
    c.set('c', 'C', 4);
    expect([c.has('a'), c.has('b'), c.has('c')]).toEqual([true, false, true]);
    expect(c.bytes).toBe(8);
    c.set('big', 'X', 11);
    expect(c.has('big')).toBe(false);
    expect(c.size).toBe(2);
  });
});
