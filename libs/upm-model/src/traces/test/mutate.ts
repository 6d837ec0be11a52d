/** Seeded CSV mutations for fuzzing the trace readers (reader-level and through the API). */
import { Rng } from '../prng';

const SPECIALS = [
  '"',
  '\r',
  '\n',
  ',',
  '\uFEFF',
  '-',
  '.',
  'e',
  '\u00e9',
  '\u0000',
  ' ',
  '""',
  '\r\n',
  '9999999999999',
];

/** 1-3 seeded mutations of a CSV: byte flips, cells and lines deleted or duplicated, garbage, truncation, hostile values. */
// Long: a flat list of mutation kinds (a switch), one case each.
export function mutateCsv(rng: Rng, input: Buffer): Buffer {
  let b = input;
  const ops = 1 + rng.int(3);
  for (let k = 0; k < ops; k++) {
    const text = () => b.toString('latin1');
    const lines = () => text().split('\n');
    const pos = rng.int(b.length + 1);
    switch (rng.int(10)) {
      case 0: {
        // byte flip
        if (b.length === 0) break;
        b = Buffer.from(b);
        b[rng.int(b.length)] = rng.int(256);
        break;
      }
      case 1: {
        // delete a cell
        const l = lines();
        const i = rng.int(l.length);
        const cells = l[i].split(',');
        cells.splice(rng.int(cells.length), 1);
        l[i] = cells.join(',');
        b = Buffer.from(l.join('\n'), 'latin1');
        break;
      }
      case 2: {
        // duplicate a cell
        const l = lines();
        const i = rng.int(l.length);
        const cells = l[i].split(',');
        const j = rng.int(cells.length);
        cells.splice(j, 0, cells[j]);
        l[i] = cells.join(',');
        b = Buffer.from(l.join('\n'), 'latin1');
        break;
      }
      case 3: {
        // delete a line (sometimes the header)
        const l = lines();
        l.splice(rng.int(l.length), 1);
        b = Buffer.from(l.join('\n'), 'latin1');
        break;
      }
      case 4: {
        // duplicate a line
        const l = lines();
        const i = rng.int(l.length);
        l.splice(i, 0, l[i]);
        b = Buffer.from(l.join('\n'), 'latin1');
        break;
      }
      case 5: {
        // insert random garbage bytes
        const g = Buffer.alloc(1 + rng.int(24));
        for (let i = 0; i < g.length; i++) g[i] = rng.int(256);
        b = Buffer.concat([b.subarray(0, pos), g, b.subarray(pos)]);
        break;
      }
      case 6:
        // truncate
        b = b.subarray(0, pos);
        break;
      case 7: {
        // insert a special token
        const s = Buffer.from(SPECIALS[rng.int(SPECIALS.length)], 'utf8');
        b = Buffer.concat([b.subarray(0, pos), s, b.subarray(pos)]);
        break;
      }
      case 8: {
        // replace a cell with a number-like or hostile value
        const l = lines();
        const i = rng.int(l.length);
        const cells = l[i].split(',');
        const vals = [
          '',
          '-1',
          '1.5',
          '1e309',
          'NaN',
          '0x1F',
          '4294967296',
          '  7 ',
          '3.0',
          '"q"',
          '"',
          'http',
          '1441',
          '0',
        ];
        cells[rng.int(cells.length)] = vals[rng.int(vals.length)];
        l[i] = cells.join(',');
        b = Buffer.from(l.join('\n'), 'latin1');
        break;
      }
      default: {
        // swap two lines
        const l = lines();
        const i = rng.int(l.length);
        const j = rng.int(l.length);
        [l[i], l[j]] = [l[j], l[i]];
        b = Buffer.from(l.join('\n'), 'latin1');
        break;
      }
    }
  }
  return b;
}
