/**
 * Sample dumps for tests (this module's and other engineers'): small but exercising every feature of the
 * format: several snapshots, file and anonymous VMAs, holes between runs, swapped and zero-filled pages,
 * PFN columns of both widths, KSM and THP flags, a denied process.
 */
import type { SyntheticDumpSpec } from './synthesize';
import { PageFlag } from './types';

const P = PageFlag.Present;

export function sampleDumpSpec(): SyntheticDumpSpec {
  return {
    header: { labels: { function: 'image-recognition', runtime: 'python3.11' }, ksm: { run: '1' }, thp: { enabled: 'always [madvise] never' } },
    snapshots: [
      {
        processes: [
          {
            pid: 4242,
            startTime: 123456,
            comm: 'python3',
            cmdline: ['python3', 'handler.py'],
            cgroup: '/fn/a',
            labels: { container: 'a1' },
            ksm: { ksm_rmap_items: 3, ksm_merge_any: 'no' },
            rollup: { Rss: 48, Pss: 40 },
            vmas: [
              { kind: 'file', path: '/usr/lib/libpython.so', sizePages: 8, pages: ['lib:0', 'lib:1', { index: 5, content: 'lib:5' }] },
              {
                sizePages: 64,
                flags: ['rd', 'wr', 'mr', 'mw', 'me', 'ac', 'mg'],
                pages: [
                  1,
                  2,
                  0,
                  { content: 0, flags: P | PageFlag.ZeroPage, pfn: 0 },
                  null,
                  { index: 10, content: 3, flags: P | PageFlag.Ksm | PageFlag.Exclusive, pfn: 0x1234 },
                  { content: 4, flags: P | PageFlag.Thp | PageFlag.SoftDirty, pfn: 0x1235 },
                  { index: 63, content: 5, pfn: 2 ** 40 + 7 },
                ],
              },
            ],
          },
          { pid: 77, status: 'denied', error: 'EACCES reading /proc/77/pagemap', vmas: [] },
          { pid: 4243, startTime: 123999, vmas: [{ sizePages: 4, pages: [1, 2, 0, 9] }] },
        ],
      },
      {
        timeMs: 1_795_000_000_500,
        processes: [{ pid: 4242, startTime: 123456, vmas: [{ sizePages: 16, pages: [1, 2, 7, { index: 15, content: null }] }] }],
      },
    ],
  };
}
