import { LogLevel, PipecatClient } from '@pipecat-ai/client-js';
import { describe, expect, it } from 'vitest';
import { FakeMediaManager } from '../../../test/fakes/fake-media-manager.ts';
import type { FrameRecord, RtviRecord } from '../../transport/frame-observer.ts';
import { LoopbackTransport } from './loopback-transport.ts';

async function waitFor(what: string, cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function setup(settings: Record<string, unknown> = {}) {
  const media = new FakeMediaManager({ playbackSpeed: 0 });
  const transport = new LoopbackTransport({ settings }, media);
  const rtvi: RtviRecord[] = [];
  const frames: FrameRecord[] = [];
  transport.setObserver({ onRtvi: (r) => rtvi.push(r), onFrame: (f) => frames.push(f) });
  const client = new PipecatClient({ transport, enableMic: true });
  client.setLogLevel(LogLevel.WARN);
  const types = () => rtvi.map((r) => r.type).filter((t) => !t.startsWith('local-vad'));
  return { media, transport, client, rtvi, frames, types };
}

describe('LoopbackTransport', () => {
  it('needs no key, connects to ready, and uses 24 kHz both ways', async () => {
    const { client, transport, media } = setup();
    await client.connect();
    expect(transport.state).toBe('ready');
    expect(media.format.inputSampleRate).toBe(24_000);
    expect(media.format.outputSampleRate).toBe(24_000);
    await client.disconnect();
  });

  it('echoes the utterance between the local VAD events as bot audio, with speaking events from playback', async () => {
    const { client, media, types, rtvi } = setup();
    await client.connect();
    media.emitLocalSpeech(true);
    media.speak(1000);
    media.emitLocalSpeech(false);
    // A 500 ms lead at once, the rest at the audio's pace.
    await waitFor('echo queued', () => media.samplesFor('loopback-turn-1') > 0);
    expect(media.samplesFor('loopback-turn-1')).toBe(12_000);
    await waitFor('the whole echo streamed', () => media.samplesFor('loopback-turn-1') === 24_000);
    media.advancePlayback(1200);
    await waitFor('bot-stopped-speaking', () => types().includes('bot-stopped-speaking'));
    const order = types().filter((t) => /speaking/.test(t));
    expect(order).toEqual(['user-started-speaking', 'user-stopped-speaking', 'bot-started-speaking', 'bot-stopped-speaking']);
    const output = rtvi.find((r) => r.type === 'bot-output');
    expect((output?.data as { text: string }).text).toBe('Echo of 1.0 s of audio.');
    expect(rtvi.find((r) => r.type === 'user-transcription')?.data).toMatchObject({ final: true });
    await client.disconnect();
  });

  it('is interrupted when the user talks over the echo, and reports where playback stopped', async () => {
    const { client, media, frames } = setup();
    await client.connect();
    media.emitLocalSpeech(true);
    media.speak(1000);
    media.emitLocalSpeech(false);
    await waitFor('echo queued', () => media.samplesFor('loopback-turn-1') > 0);
    media.advancePlayback(400);
    media.emitLocalSpeech(true);
    await waitFor('interrupt', () => media.interrupts.length === 1);
    expect(media.queuedSamples).toBe(0);
    await waitFor('interrupt frame', () => frames.some((f) => f.type === 'loopback.interrupt'));
    expect(frames.find((f) => f.type === 'loopback.interrupt')?.payload).toMatchObject({ item_id: 'loopback-turn-1', played_ms: 400 });
    // The rest of the interrupted echo still streams in, and the media manager drops all of it.
    await waitFor('the echo stream to end', () => frames.some((f) => f.type === 'loopback.echo-end'));
    expect(media.samplesFor('loopback-turn-1')).toBe(24_000);
    expect(media.queuedSamples).toBe(0);
    media.advancePlayback(1000);
    expect(media.playedSamples('loopback-turn-1')).toBe(9_600);
    await client.disconnect();
  });

  it('answers send-text with text, and reports audio frames as summaries only', async () => {
    const { client, media, rtvi, frames } = setup();
    await client.connect();
    await client.sendText('hello there');
    expect(rtvi.find((r) => r.type === 'bot-llm-text')?.data).toEqual({ text: 'You wrote: hello there' });
    media.speak(100);
    const audioFrames = frames.filter((f) => f.type === 'loopback.audio');
    expect(audioFrames.length).toBe(5);
    expect(audioFrames[0].audio).toEqual({ bytes: 960, durationMs: 20, sampleRate: 24_000 });
    await client.disconnect();
  });

  it('reports the echo text as spoken only while its audio plays, in step with the played samples', async () => {
    const { client, media, rtvi } = setup();
    await client.connect();
    media.emitLocalSpeech(true);
    media.speak(1000);
    media.emitLocalSpeech(false);
    // Loopback streams its echo in 100 ms slices at the audio's pace: wait until all of it is queued,
    // so the fake player (which plays only what it has) does not run dry mid-echo.
    await waitFor('the whole echo queued', () => media.samplesFor('loopback-turn-1') >= 24_000);
    const text = 'Echo of 1.0 s of audio.';
    const spokenText = () => rtvi.filter((r) => r.type === 'bot-tts-text').map((r) => (r.data as { text: string }).text).join('');
    expect(rtvi.filter((r) => r.type === 'bot-tts-text' || r.type === 'bot-output')).toEqual([]);
    media.advancePlayback(500);
    await waitFor('half the words', () => spokenText().length > 0);
    expect(spokenText().length).toBeLessThan(text.length);
    expect(text.startsWith(spokenText())).toBe(true);
    expect(rtvi.some((r) => r.type === 'bot-output')).toBe(false);
    media.advancePlayback(600);
    await waitFor('bot-stopped-speaking', () => rtvi.some((r) => r.type === 'bot-stopped-speaking'));
    expect(spokenText()).toBe(text);
    const order = rtvi.map((r) => r.type).filter((t) => /^bot-(output|started-speaking|stopped-speaking)$/.test(t));
    expect(order).toEqual(['bot-started-speaking', 'bot-output', 'bot-stopped-speaking']);
    expect(rtvi.find((r) => r.type === 'bot-output')?.data).toMatchObject({ text, spoken_status: 'completed' });
    await client.disconnect();
  });

  it('on barge-in reports the unheard rest of the echo as not spoken (in-progress with spoken_progress)', async () => {
    const { client, media, rtvi } = setup();
    await client.connect();
    media.emitLocalSpeech(true);
    media.speak(1000);
    media.emitLocalSpeech(false);
    await waitFor('echo queued', () => media.samplesFor('loopback-turn-1') > 0);
    media.advancePlayback(400);
    media.emitLocalSpeech(true);
    await waitFor('cut-off bot-output', () => rtvi.some((r) => r.type === 'bot-output'));
    const outputs = rtvi.filter((r) => r.type === 'bot-output').map((r) => r.data as Record<string, unknown>);
    expect(outputs).toHaveLength(1);
    const progress = outputs[0].spoken_progress as { accumulated_text: string; remaining_text: string };
    expect(outputs[0]).toMatchObject({ text: 'Echo of 1.0 s of audio.', spoken_status: 'in-progress' });
    expect(progress.remaining_text.length).toBeGreaterThan(0);
    expect(`${progress.accumulated_text} ${progress.remaining_text}`.trim()).toBe('Echo of 1.0 s of audio.');
    const spoken = rtvi.filter((r) => r.type === 'bot-tts-text').map((r) => (r.data as { text: string }).text).join('');
    expect(spoken.trim()).toBe(progress.accumulated_text);
    await client.disconnect();
  });

  it('paces text against a media manager that transfers (detaches) the queued audio, as the worklet manager does', async () => {
    class TransferringMediaManager extends FakeMediaManager {
      override bufferBotAudio(data: ArrayBuffer | Int16Array, id?: string): Int16Array | undefined {
        const out = super.bufferBotAudio(data, id);
        const buffer = data instanceof Int16Array ? data.buffer : data;
        structuredClone(buffer, { transfer: [buffer as ArrayBuffer] });
        return out && new Int16Array(out.buffer, 0, 0);
      }
    }
    const media = new TransferringMediaManager({ playbackSpeed: 0 });
    const transport = new LoopbackTransport({}, media);
    const rtvi: RtviRecord[] = [];
    transport.setObserver({ onRtvi: (r) => rtvi.push(r) });
    const client = new PipecatClient({ transport, enableMic: true });
    client.setLogLevel(LogLevel.WARN);
    await client.connect();
    media.emitLocalSpeech(true);
    media.speak(1000);
    media.emitLocalSpeech(false);
    await waitFor('the whole echo queued', () => media.samplesFor('loopback-turn-1') >= 24_000);
    media.advancePlayback(500);
    await waitFor('some words released mid-echo', () => rtvi.some((r) => r.type === 'bot-tts-text'));
    expect(rtvi.some((r) => r.type === 'bot-stopped-speaking')).toBe(false);
    await client.disconnect();
  });

  it('disconnects and connects again', async () => {
    const { client, transport } = setup();
    await client.connect();
    await client.disconnect();
    expect(transport.state).toBe('disconnected');
    await client.connect();
    expect(transport.state).toBe('ready');
    await client.disconnect();
  });
});
