export * from './dump';
export * from './traces';
export * from './sharing';
export * from './merge';
export * from './plan';
