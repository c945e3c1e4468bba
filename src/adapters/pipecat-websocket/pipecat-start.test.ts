import { describe, expect, it } from 'vitest';
import { reachableSocketUrl } from './pipecat-start.ts';

describe('reachableSocketUrl (the runner answers wss:// for any --host but localhost: run.py:864-870)', () => {
  it('a plain-HTTP runner on 0.0.0.0 or the start URL\'s own host is reached over ws:// at the start URL\'s host, token kept', () => {
    expect(reachableSocketUrl('http://192.168.1.5:7860/start', 'wss://0.0.0.0:7860/ws-client?token=t').url).toBe('ws://192.168.1.5:7860/ws-client?token=t');
    expect(reachableSocketUrl('http://127.0.0.1:7860/start', 'wss://127.0.0.1:7860/ws-client').url).toBe('ws://127.0.0.1:7860/ws-client');
    expect(reachableSocketUrl('http://localhost:7860/start', 'wss://[::]:7860/ws-client').url).toBe('ws://localhost:7860/ws-client');
    const r = reachableSocketUrl('http://127.0.0.1:7860/start', 'wss://127.0.0.1:7860/ws-client?token=secret');
    expect(r.note).toMatch(/--host other than "localhost"/);
    expect(r.note).not.toContain('secret');
  });

  it('leaves alone what is not that case: https start URL, ws:// answer, another host or port', () => {
    for (const [start, ws] of [
      ['https://bot.example/start', 'wss://bot.example/ws-client'],
      ['http://localhost:7860/start', 'ws://localhost:7860/ws-client'],
      ['http://127.0.0.1:7860/start', 'wss://bots.example.com/ws-client'],
      ['http://127.0.0.1:7860/start', 'wss://127.0.0.1:9000/ws-client'],
    ]) expect(reachableSocketUrl(start!, ws!)).toEqual({ url: ws });
  });
});
