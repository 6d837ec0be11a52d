export * from './queues';
export * from './ping.job';
