/**
 * The program measured (spawned by collect.ts through prctl-exec.py): a plain node program. It loads the
 * file into a Buffer (one malloc'd backing store, which at this size glibc serves with its own anonymous
 * mmap) and copies it into a Uint8Array (a second anonymous copy), keeps both alive, prints "ready ..." and
 * then does nothing: no timers, no allocation; it only waits for its stdin to close (so it also ends if the
 * parent dies).
 */
'use strict';
const fs = require('fs');
const file = process.argv[2];
const buf = fs.readFileSync(file);
const copy = new Uint8Array(buf.length);
copy.set(buf);
let sum = 0;
for (let i = 0; i < copy.length; i += 4096) sum = (sum * 31 + copy[i]) >>> 0;
globalThis.__keep = [buf, copy];
process.stdout.write('ready ' + JSON.stringify({ pid: process.pid, bytes: buf.length, sample: sum }) + '\n');
process.stdin.on('end', () => process.exit(0));
process.stdin.on('data', () => {});
