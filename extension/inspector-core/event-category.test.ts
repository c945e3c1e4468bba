import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../shared/log-event.ts';
import { inCategory, isAudioFrame, isErrorEvent } from './event-category.ts';

const ev = (type: string, over: Partial<LogEvent> = {}): LogEvent => ({ seq: 1, session: 1, t: 0, wall: 0, source: 'raw', direction: 'in', type, data: {}, ...over });

describe('event categories', () => {
  it('errors: RTVI error, provider error frames, host errors, malformed frames, an error state', () => {
    for (const e of [ev('error', { source: 'rtvi' }), ev('error'), ev('host-error', { source: 'transport' }), ev('conversation.item.input_audio_transcription.failed'), ev('x', { malformed: true }), ev('transport-state', { source: 'transport', data: { state: 'error' } }), ev('token-request', { source: 'transport', data: { status: 401, ok: false } })]) expect(isErrorEvent(e), e.type).toBe(true);
    for (const e of [ev('session.updated'), ev('bot-ready', { source: 'rtvi' }), ev('transport-state', { source: 'transport', data: { state: 'ready' } }), ev('token-request', { source: 'transport', data: { status: 200, ok: true } })]) expect(isErrorEvent(e), e.type).toBe(false);
  });

  it('transcripts, tools, config and speaking across the providers', () => {
    expect(inCategory(ev('response.output_audio_transcript.delta'), 'transcripts')).toBe(true);
    expect(inCategory(ev('user-transcription', { source: 'rtvi' }), 'transcripts')).toBe(true);
    expect(inCategory(ev('serverContent', { data: { serverContent: { outputTranscription: { text: 'hi' } } } }), 'transcripts')).toBe(true);
    expect(inCategory(ev('serverContent', { data: { serverContent: { turnComplete: true } } }), 'transcripts')).toBe(false);
    expect(inCategory(ev('toolCall'), 'tools')).toBe(true);
    expect(inCategory(ev('llm-function-call-in-progress', { source: 'rtvi' }), 'tools')).toBe(true);
    expect(inCategory(ev('response.function_call_arguments.done'), 'tools')).toBe(true);
    expect(inCategory(ev('session.update'), 'config')).toBe(true);
    expect(inCategory(ev('setupComplete'), 'config')).toBe(true);
    expect(inCategory(ev('session.updatedx'), 'speaking')).toBe(false);
    expect(inCategory(ev('input_audio_buffer.speech_started'), 'speaking')).toBe(true);
    expect(inCategory(ev('bot-stopped-speaking', { source: 'rtvi' }), 'speaking')).toBe(true);
  });

  it('audio frames: appends, deltas, Loopback audio, audio-only Gemini content; not RTVI rows', () => {
    const a = { bytes: 640, durationMs: 20, sampleRate: 16000 };
    expect(isAudioFrame(ev('loopback.audio', { audio: a }))).toBe(true);
    expect(isAudioFrame(ev('input_audio_buffer.append', { audio: a }))).toBe(true);
    expect(isAudioFrame(ev('realtimeInput', { data: { realtimeInput: { audio: a } }, audio: a }))).toBe(true);
    expect(isAudioFrame(ev('serverContent', { data: { serverContent: { modelTurn: { parts: [{ inlineData: a }] } } }, audio: a }))).toBe(true);
    expect(isAudioFrame(ev('serverContent', { data: { serverContent: { turnComplete: true } } }))).toBe(false);
    expect(isAudioFrame(ev('bot-tts-text', { source: 'rtvi' }))).toBe(false);
  });
});
