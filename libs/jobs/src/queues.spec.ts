import { jobIdFor, QUEUES, queueOfJobId } from './queues';

describe('job ids', () => {
  it('carry their queue name', () => {
    const id = jobIdFor(QUEUES.system, 'abc');
    expect(id).toBe('system:abc');
    expect(queueOfJobId(id)).toBe('system');
  });

  it('name no queue when the prefix is unknown', () => {
    expect(queueOfJobId('nope:abc')).toBeUndefined();
    expect(queueOfJobId('abc')).toBeUndefined();
  });
});
