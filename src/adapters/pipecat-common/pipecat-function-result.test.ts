import { describe, expect, it } from 'vitest';
import { functionResultValidation } from '../../../test/fakes/fake-pipecat-ws-bot.ts';
import { toPipecatResult } from './pipecat-function-result.ts';

describe('toPipecatResult', () => {
  it('keeps objects and strings; sends any other JSON value as its JSON text with a note naming the rule', () => {
    expect(toPipecatResult('f', { a: 1 })).toEqual({ result: { a: 1 } });
    expect(toPipecatResult('f', 'done')).toEqual({ result: 'done' });
    for (const [v, text] of [[[1, 2], '[1,2]'], [42, '42'], [false, 'false'], [null, 'null'], [undefined, 'null']] as const) {
      const r = toPipecatResult('get_weather', v);
      expect(r.result).toBe(text);
      expect(r.note).toMatch(/only as a JSON object or a string.*get_weather/);
    }
  });

  it('whatever it sends passes the validation of a Pipecat bot (the fake\'s copy of models.py)', () => {
    for (const v of [{ a: 1 }, 'x', [1], 0, true, null, undefined, [{ a: [] }]]) {
      expect(functionResultValidation({ function_name: 'f', tool_call_id: 'c', arguments: {}, result: toPipecatResult('f', v).result })).toBeNull();
    }
  });
});
