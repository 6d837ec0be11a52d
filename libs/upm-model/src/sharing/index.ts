export * from './hash-index';
export * from './world';
export * from './sharing-analysis';
