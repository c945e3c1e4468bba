import { describe, expect, it } from 'vitest';
import type { HostError } from '../shared/messages.ts';
import { attemptAlert, fieldAtFault, localAlert } from './error-attempt.ts';

const err = (at: number, session: number, message: string, over: Partial<HostError> = {}): HostError => ({ at, session, message, fatal: false, ...over });

describe('attemptAlert', () => {
  it('lists every error of the newest attempt, the close reason first, with its code and log row', () => {
    const errors = [
      err(1, 1, 'old session problem'),
      err(10, 2, 'OpenAI closed the connection before the session was ready: code 1008 (policy violation), reason "Quota exceeded".', { code: 1008, seq: 40 }),
      err(11, 2, 'Disconnected before the session was ready.', { seq: 44 }),
    ];
    const a = attemptAlert(errors, 5, true)!;
    expect(a.heading).toBe('Session 2 failed');
    expect(a.errors.map((e) => e.message)).toEqual([errors[1].message, errors[2].message]);
    expect(a.errors[0].code).toBe(1008);
    expect(a.showSeq).toBe(40);
    expect(a.at).toBe(11);
  });

  it('hides errors dismissed by a Connect press; nothing left is no alert', () => {
    expect(attemptAlert([err(1, 1, 'x')], 1, false)).toBeNull();
    expect(attemptAlert([], 0, false)).toBeNull();
  });

  it('non-fatal errors of a live session are listed once each, capped', () => {
    const errors = Array.from({ length: 12 }, (_, i) => err(i + 1, 3, i % 2 ? `frame ${i} is not a JSON event` : 'same'));
    const a = attemptAlert(errors, 0, false)!;
    expect(a.heading).toBe('Errors in session 3');
    expect(a.errors).toHaveLength(6);
    expect(a.errors[0].message).toBe('same');
    expect(a.omitted).toBe(7 - 6);
  });

  it('an error outside a session has its own heading', () => {
    expect(attemptAlert([err(1, 0, 'Microphone access is not granted')], 0, false)!.heading).toBe('Could not start');
  });
});

describe('fieldAtFault', () => {
  it('points configuration errors at their field', () => {
    expect(fieldAtFault('Could not reach api.example.test to create an OpenAI client secret: Failed to fetch')).toBe('endpoint');
    expect(fieldAtFault('Could not open the OpenAI WebSocket: Invalid URL')).toBe('endpoint');
    expect(fieldAtFault('OpenAI refused to create a client secret (HTTP 401 invalid_api_key): Incorrect API key provided')).toBe('key');
    expect(fieldAtFault('Gemini refused the session token request (HTTP 400): bad expireTime')).toBe('auth');
    expect(fieldAtFault('OpenAI closed the connection before the session was ready: code 4004, reason "invalid_request_error.model_not_found".')).toBe('model');
    expect(fieldAtFault('OpenAI Realtime needs an API key: paste it into "API key", then connect.')).toBe('key');
    expect(localAlert('Tools (JSON) is not valid (x). Fix it, then connect.', 1).field).toBe('tools');
    expect(fieldAtFault('The model "gemini-live-2.5-flash-preview" is unknown to Gemini Live or retired. Use the current default, "gemini-3.8-live" (Settings → Model). (Gemini Live closed the connection before the session was ready: code 1008 (policy violation), reason "models/gemini-live-2.5-flash-preview is not found for API version v1beta".)')).toBe('model');
    expect(fieldAtFault('xAI refused to create a short-lived token (HTTP 401): bad key')).toBe('key');
    expect(fieldAtFault('Internal server error.')).toBeNull();
  });
});
