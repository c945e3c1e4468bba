import { describe, expect, it } from 'vitest';
import { askJudge, judgeRequest, parseJudgeResponse, type FetchLike, type JudgeHttpRequest } from './judge.ts';

const KEY = 'sk-test-judge-key-0123456789';

function fakeFetch(status: number, body: unknown): { fetch: FetchLike; seen: JudgeHttpRequest[] } {
  const seen: JudgeHttpRequest[] = [];
  return {
    seen,
    fetch: async (url, init) => {
      seen.push({ url, init });
      return { ok: status >= 200 && status < 300, status, text: async () => (typeof body === 'string' ? body : JSON.stringify(body)) };
    },
  };
}

describe('judge requests', () => {
  it('OpenAI: chat completions on the target endpoint origin (ws → http), Bearer key, strict JSON schema; key never in the URL', () => {
    const { request, model } = judgeRequest({ adapterId: 'openai-realtime', endpoint: 'ws://127.0.0.1:4321/v1/realtime', apiKey: KEY }, 'Polite?', 'Hello there.');
    expect(request.url).toBe('http://127.0.0.1:4321/v1/chat/completions');
    expect(request.init.headers.Authorization).toBe(`Bearer ${KEY}`);
    expect(request.url).not.toContain(KEY);
    const body = JSON.parse(request.init.body);
    expect(body.model).toBe(model);
    expect(body.response_format).toMatchObject({ type: 'json_schema', json_schema: { strict: true, schema: { required: ['answer', 'reasoning'] } } });
    expect(body.messages[1].content).toContain('Hello there.');
    expect(body.messages[1].content).toContain('Polite?');
  });

  it('OpenAI without an endpoint goes to api.openai.com; wss maps to https', () => {
    expect(judgeRequest({ adapterId: 'openai-realtime', apiKey: KEY }, 'q', 'r').request.url).toBe('https://api.openai.com/v1/chat/completions');
    expect(judgeRequest({ adapterId: 'openai-realtime', endpoint: 'wss://proxy.example:8443/rt', apiKey: KEY }, 'q', 'r').request.url).toBe('https://proxy.example:8443/v1/chat/completions');
  });

  it('Gemini: generateContent with the key in x-goog-api-key, never in the URL; a chosen model is used', () => {
    const { request } = judgeRequest({ adapterId: 'gemini-live', apiKey: KEY }, 'q', 'r', 'gemini-2.5-flash-lite');
    expect(request.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash-lite:generateContent');
    expect(request.init.headers['x-goog-api-key']).toBe(KEY);
    expect(request.url).not.toContain(KEY);
    expect(JSON.parse(request.init.body).generationConfig.responseMimeType).toBe('application/json');
  });

  it('an adapter without a text API, or a missing key, is refused plainly', () => {
    expect(() => judgeRequest({ adapterId: 'loopback' }, 'q', 'r')).toThrow(/not available for the loopback adapter/);
    expect(() => judgeRequest({ adapterId: 'openai-realtime' }, 'q', 'r')).toThrow(/need the openai-realtime API key/);
  });
});

describe('judge answers', () => {
  it('OpenAI: reads the JSON content and total_tokens', async () => {
    const f = fakeFetch(200, { choices: [{ message: { role: 'assistant', content: '{"answer":"no","reasoning":"It never apologised."}', refusal: null } }], usage: { prompt_tokens: 80, completion_tokens: 12, total_tokens: 92 } });
    const out = await askJudge(f.fetch, { adapterId: 'openai-realtime', apiKey: KEY }, 'Apologises?', 'Fine.');
    expect(out.verdict).toEqual({ answer: 'no', reasoning: 'It never apologised.' });
    expect(out.tokens).toBe(92);
    expect(f.seen).toHaveLength(1);
  });

  it('Gemini: joins the candidate parts and reads usageMetadata.totalTokenCount', () => {
    const out = parseJudgeResponse('gemini', { candidates: [{ content: { role: 'model', parts: [{ text: '{"answer": "yes", ' }, { text: '"reasoning": "It said sorry."}' }] } }], usageMetadata: { promptTokenCount: 50, candidatesTokenCount: 9, totalTokenCount: 59 } });
    expect(out).toEqual({ verdict: { answer: 'yes', reasoning: 'It said sorry.' }, tokens: 59 });
  });

  it('non-JSON text, an odd answer or a refusal is "unclear" with why', () => {
    expect(parseJudgeResponse('openai', { choices: [{ message: { content: 'Yes.' } }] }).verdict).toMatchObject({ answer: 'unclear', reasoning: expect.stringMatching(/did not answer in JSON/) });
    expect(parseJudgeResponse('openai', { choices: [{ message: { content: '{"answer":"maybe","reasoning":"x"}' } }] }).verdict.answer).toBe('unclear');
    expect(parseJudgeResponse('openai', { choices: [{ message: { content: null, refusal: 'I cannot help.' } }] }).verdict.reasoning).toBe('the judge refused: I cannot help.');
  });

  it('an HTTP error throws with the provider message, the key redacted', async () => {
    const f = fakeFetch(401, { error: { message: `Incorrect API key provided: ${KEY}.`, type: 'invalid_request_error' } });
    const err = await askJudge(f.fetch, { adapterId: 'openai-realtime', apiKey: KEY }, 'q', 'r').catch((e: Error) => e);
    expect((err as Error).message).toMatch(/judge answered HTTP 401: Incorrect API key provided: <key>\./);
    expect((err as Error).message).not.toContain(KEY);
  });
});
