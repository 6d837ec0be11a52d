export * from './dump';
