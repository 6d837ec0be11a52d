export * from './queues';
export * from './ping.job';
export * from './plan.job';
