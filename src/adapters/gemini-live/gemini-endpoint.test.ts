import { describe, expect, it } from 'vitest';
import { GEMINI_DEFAULT_ENDPOINT, planGeminiEndpoint, withCredential } from './gemini-endpoint.ts';

const STD = 'ws/google.ai.generativelanguage';

describe('planGeminiEndpoint', () => {
  it('defaults to Google, swapping to the v1alpha constrained method for tokens', () => {
    expect(planGeminiEndpoint('', 'key-in-url')).toEqual({ socketUrl: GEMINI_DEFAULT_ENDPOINT, tokenUrl: 'https://generativelanguage.googleapis.com/v1alpha/auth_tokens' });
    expect(planGeminiEndpoint(undefined, 'token').socketUrl).toBe(`wss://generativelanguage.googleapis.com/${STD}.v1alpha.GenerativeService.BidiGenerateContentConstrained`);
  });

  it('appends the standard path to a bare host and uses http for a ws: loopback token request', () => {
    expect(planGeminiEndpoint('ws://127.0.0.1:9000', 'token')).toEqual({
      socketUrl: `ws://127.0.0.1:9000/${STD}.v1alpha.GenerativeService.BidiGenerateContentConstrained`,
      tokenUrl: 'http://127.0.0.1:9000/v1alpha/auth_tokens',
    });
    expect(planGeminiEndpoint('ws://127.0.0.1:9000/', 'key-in-url').socketUrl).toBe(`ws://127.0.0.1:9000/${STD}.v1beta.GenerativeService.BidiGenerateContent`);
  });

  it('keeps a proxy prefix and the version for key-in-url, drops credentials pasted into the override', () => {
    const plan = planGeminiEndpoint(`wss://proxy.example/gemini//${STD}.v1.GenerativeService.BidiGenerateContent?key=AIzaLeaked&region=eu`, 'key-in-url');
    expect(plan.socketUrl).toBe(`wss://proxy.example/gemini/${STD}.v1.GenerativeService.BidiGenerateContent?region=eu`);
    expect(planGeminiEndpoint(`wss://proxy.example/gemini/${STD}.v1beta.GenerativeService.BidiGenerateContent`, 'token')).toEqual({
      socketUrl: `wss://proxy.example/gemini/${STD}.v1alpha.GenerativeService.BidiGenerateContentConstrained`,
      tokenUrl: 'https://proxy.example/gemini/v1alpha/auth_tokens',
    });
  });

  it('uses a custom route as given', () => {
    expect(planGeminiEndpoint('wss://relay.example/live', 'token').socketUrl).toBe('wss://relay.example/live');
    expect(withCredential('wss://relay.example/live', 'access_token', 'auth_tokens/abc')).toBe('wss://relay.example/live?access_token=auth_tokens%2Fabc');
  });

  it('rejects a URL that is not one', () => {
    expect(() => planGeminiEndpoint('not a url', 'token')).toThrow();
  });
});
