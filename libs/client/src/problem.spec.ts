import { matchField, problemFieldErrors } from './problem';

describe('problem field errors', () => {
  it('takes each field from the paths the API lists, never from the words of a message', () => {
    const e = problemFieldErrors({
      title: 'Unprocessable Content',
      status: 422,
      detail: 'x',
      errors: [
        { path: 'host.memoryGiB', detail: 'must be > 0, got -1' },
        { path: 'models', detail: 'each value must be one of the following values: none, ksm, upm' },
        { path: '', detail: 'no path here!' },
      ],
    });
    expect(e).toEqual([
      { field: 'host.memoryGiB', message: 'host.memoryGiB must be > 0, got -1' },
      { field: 'models', message: 'models each value must be one of the following values: none, ksm, upm' },
      { field: null, message: 'no path here!' },
    ]);
  });
  it('takes a path with a quoted key (a function key of profiles.functions)', () => {
    const e = problemFieldErrors({ title: 'Unprocessable', status: 422, detail: 'invalid plan: profiles.functions["app/f x"] names no function of the trace' });
    expect(e[0].field).toBe('profiles.functions["app/f x"]');
    expect(matchField(e[0].field, ['profiles', 'profiles.functions'])).toBe('profiles.functions');
  });
  it('names the input of a missing stored trace or dump', () => {
    expect(problemFieldErrors({ title: 'Unprocessable', status: 422, detail: 'No trace 1', kind: 'trace', id: '1' })[0].field).toBe('trace');
  });
  it('matches the longest form field at a path boundary', () => {
    const fields = ['sweep', 'sweep.ttlMinutes', 'host.memoryGiB', 'host'];
    expect(matchField('sweep.ttlMinutes[1]', fields)).toBe('sweep.ttlMinutes');
    expect(matchField('host.memoryGiBx', fields)).toBe('host');
    expect(matchField('trace', fields)).toBe(null);
    expect(matchField('sweeps', fields)).toBe(null);
    expect(matchField('host.count', fields)).toBe('host');
    expect(matchField(null, fields)).toBe(null);
  });
});
