import { describe, expect, it } from 'vitest';
import { answerScriptedMock } from './scripted-mock.ts';

describe('answerScriptedMock', () => {
  it('answers each kind of mock as the scenario says', () => {
    expect(answerScriptedMock({ result: { temp: 18 } }, {})).toEqual({ kind: 'result', result: { temp: 18 }, delayMs: 0 });
    expect(answerScriptedMock({ error: 'Service unavailable', delay_ms: 800 }, {})).toEqual({ kind: 'result', result: { error: 'Service unavailable' }, delayMs: 800 });
    expect(answerScriptedMock({ empty: true }, {})).toEqual({ kind: 'result', result: {}, delayMs: 0 });
    expect(answerScriptedMock({ never_answers: true, delay_ms: 5 }, {})).toEqual({ kind: 'never' });
  });

  it('cases pick the first whose arguments subset matches, else the default, else an error naming the arguments', () => {
    const mock = { cases: [{ when: { city: 'Paris' }, result: { temp: 18 } }, { when: { city: 'Oslo' }, error: 'no data' }], default: { temp: 0 } };
    expect(answerScriptedMock(mock, { city: 'paris', unit: 'c' })).toMatchObject({ result: { temp: 18 } });
    expect(answerScriptedMock(mock, { city: 'Oslo' })).toMatchObject({ result: { error: 'no data' } });
    expect(answerScriptedMock(mock, { city: 'Rome' })).toMatchObject({ result: { temp: 0 } });
    const { default: _d, ...noDefault } = mock;
    expect(answerScriptedMock(noDefault, { city: 'Rome' })).toMatchObject({ result: { error: 'no mock case matched the arguments {"city":"Rome"}' } });
  });
});
