export * from './common/types';
export { aliveAtEnd, countFrames } from './common/accounting';
export * from './none/none-model';
export * from './upm/upm-model';
export * from './ksm/ksm-model';
export * from './ksm/scan-timing';
export * from './analysis';
