import { buildDump, range } from '../merge/common/test-dumps';
import { densityPerHost } from './density';
import { buildProfilesFrom } from './profiles';
import { sharedDump } from './test-helpers';

const opts = {
  assumeMergeable: true,
  snapshot: 'last' as const,
  fallback: { sharedFraction: 0.3, percentile: 'p50' as const, defaultMemoryMiB: 1 },
};

describe('container profiles', () => {
  it('counts distinct frames, skips the zero page, and gives each model its own merge keys', () => {
    const dump = buildDump({
      fn: 'f',
      snapshots: [
        {
          timeMs: 0,
          procs: [
            {
              pid: 1,
              vmas: [
                {
                  pages: [
                    1,
                    2,
                    { c: 3, pfn: 777 },
                    { c: 3, pfn: 777 }, // the same frame mapped twice: one unit
                    { c: 'zero', zeroPage: true }, // the kernel zero page: costs nothing
                    { c: 4, thp: true }, // KSM only
                    { c: null }, // not hashed: private
                  ],
                },
                { kind: 'file', pages: [5, 6] }, // page cache: one frame for all containers, merged by neither
                { shared: true, pages: [7] }, // MAP_SHARED: neither
                { mergeable: false, pages: [8] }, // not `mg`, but containers opt in (assumeMergeable)
              ],
            },
          ],
        },
      ],
    });
    const p = buildProfilesFrom([{ key: 'a/f', refs: ['d'], fn: null }], [{ ref: 'd', dump }], opts);
    const t = p.templates[0];
    expect(t.label).toBe('d#1');
    expect(t.units).toBe(9); // 1 2 3 4 null 5 6 7 8
    expect(t.upmKeyed).toBe(4); // 1 2 3 8
    expect(t.fileUnits).toBe(2); // 5 6
    expect(t.ksmKeyed).toBe(5); // 1 2 3 4 8
    expect(t.ksmScan).toBe(6); // + the unhashed anonymous page
    const strict = buildProfilesFrom([{ key: 'a/f', refs: ['d'], fn: null }], [{ ref: 'd', dump }], {
      ...opts,
      assumeMergeable: false,
    });
    expect(strict.templates[0].ksmKeyed).toBe(4);
  });

  it('collapses pages with the same occurrence pattern into one class; what one process alone holds stays private to each container', () => {
    // two processes: 100 pages common to both, 50 of each own; one page twice in process 1; one page shared
    // with another function's process
    const dump = buildDump({
      fn: 'f',
      snapshots: [
        {
          timeMs: 0,
          procs: [
            { pid: 1, vmas: [{ pages: [...range(0, 100), ...range(1000, 1050), 5000, 5000, 9000] }] },
            { pid: 2, vmas: [{ pages: [...range(0, 100), ...range(2000, 2050)] }] },
          ],
        },
      ],
    });
    const other = buildDump({
      fn: 'g',
      snapshots: [{ timeMs: 0, procs: [{ pid: 3, vmas: [{ pages: [9000, 9001] }] }] }],
    });
    const p = buildProfilesFrom(
      [
        { key: 'a/f', refs: ['d'], fn: null },
        { key: 'a/g', refs: ['e'], fn: null },
      ],
      [
        { ref: 'd', dump },
        { ref: 'e', dump: other },
      ],
      opts,
    );
    const [t1, t2, t3] = p.templates;
    const triples = (t: typeof t1) => Array.from(t.upmCls, (c, i) => [c, t.upmK[i], t.upmM[i]]);
    const [common] = t2.upmCls;
    const [with9000] = t3.upmCls.filter((c) => t1.upmCls.includes(c));
    // classes: the 100 common pages; page 9000 (in a process of f and one of g); g's own page 9001 (g has one
    // process: its containers are copies of it)
    expect(p.upmClassCount).toBe(3);
    expect(triples(t1).sort()).toEqual(
      [
        [common, 100, 1],
        [with9000, 1, 1],
      ].sort(),
    );
    expect(triples(t2)).toEqual([[common, 100, 1]]);
    // the 50 own pages never merge across containers; page 5000 merges within its container only
    expect([t1.upmUnique, t1.upmSelfK, t1.upmSelfKM, t2.upmUnique]).toEqual([50, 1, 2, 50]);
    expect([t1.units, t1.upmKeyed]).toEqual([153, 101]);
    expect(p.fnTemplates[0]).toEqual(Int32Array.of(0, 1));
    expect(p.warnings).toEqual([
      expect.stringMatching(/^1 function\(s\) have a single process in their dumps \(a\/g\)/),
    ]);
  });

  it('builds fallback profiles from the app memory percentile, or the default size', () => {
    const fn = {
      id: 'f',
      app: 'a',
      owner: '',
      trigger: 'http' as const,
      durations: null,
      memory: { scope: 'app' as const, sampleCount: 1, averageMb: 100, percentilesMb: [1, 5, 25, 40, 75, 95, 99, 100] },
    };
    const p = buildProfilesFrom(
      [
        { key: 'a/f', refs: null, fn },
        { key: 'b/g', refs: null, fn: { ...fn, memory: null } },
      ],
      [],
      opts,
    );
    expect(p.fnSource).toEqual(['percentile', 'default']);
    expect(p.templates[0].units).toBe(40 * 256); // p50 = 40 MB
    expect(p.templates[0].upmKeyed).toBe(Math.round(40 * 256 * 0.3));
    expect(p.templates[1].units).toBe(256);
    // the shared blocks of two functions never merge with each other
    expect(p.templates[0].upmCls[0]).not.toBe(p.templates[1].upmCls[0]);
  });
});

describe('densityPerHost', () => {
  it('fits more than twice as many containers with UPM when most of a container is shared (the paper’s claim)', () => {
    const r = densityPerHost({
      profiles: new Map([['img/resnet', [sharedDump('resnet', 4, 600, 400)]]]),
      hostMemoryGiB: 1,
    });
    const row = r.functions[0];
    expect(row.processes).toBe(4);
    expect(row.containers.none).toBe(262); // 262144 pages / 1000
    // UPM: the first container 1000 pages, each further one 400 (600 merged): 1 + ⌊(262144 − 1000 − 1000 + 400)/400⌋... checked by the rule
    const n = row.containers.upm as number;
    expect(1000 + (n - 1) * 400).toBeLessThanOrEqual(262144);
    expect(1000 + n * 400 + 600).toBeGreaterThan(262144); // the next would not fit before its madvise
    expect(row.densityVsNone.upm).toBeGreaterThan(2);
    // converged KSM merges as much, except that past 256 copies a second KSM page is needed
    expect(row.containers.ksm).toBeLessThanOrEqual(n);
    expect(row.containers.ksm).toBeGreaterThan(n - 5);
    expect(row.capped).toEqual({ none: false, ksm: false, upm: false });
  });

  it('stops at maxContainers when merged containers cost nothing', () => {
    const r = densityPerHost({
      profiles: new Map([['f', [sharedDump('f', 1, 10, 0)]]]),
      hostMemoryGiB: 1,
      models: ['upm'],
      maxContainers: 500,
    });
    expect(r.functions[0].containers.upm).toBe(500);
    expect(r.functions[0].capped.upm).toBe(true);
  });
});

describe('page cache', () => {
  it('charges a page-cache frame once per host however many containers map it, under every model', () => {
    // two processes mapping the same 300 file pages (same PFNs) and 100 private anonymous pages each
    const file = () => ({
      kind: 'file' as const,
      pages: range(0, 300).map((c) => ({ c: 10_000 + c, pfn: 50_000 + c })),
    });
    const dump = buildDump({
      fn: 'f',
      snapshots: [
        {
          timeMs: 0,
          procs: [
            { pid: 1, vmas: [{ pages: range(0, 100) }, file()] },
            { pid: 2, vmas: [{ pages: range(1000, 1100) }, file()] },
          ],
        },
      ],
    });
    const p = buildProfilesFrom([{ key: 'a/f', refs: ['d'], fn: null }], [{ ref: 'd', dump }], opts);
    expect(p.templates.map((t) => [t.units, t.fileUnits])).toEqual([
      [400, 300],
      [400, 300],
    ]);
    // 1000 pages: the file once (300) and 7 containers' own 100 pages each
    const r = densityPerHost({ profiles: new Map([['f', [dump]]]), hostMemoryGiB: (1000 * 4096) / 1073741824 });
    expect(r.functions[0].containers).toMatchObject({ none: 7, ksm: 7, upm: 7 });
  });
});
