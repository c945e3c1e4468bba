import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { AudioSummary } from '../../transport/frame-observer.ts';
import { FrameSchema, type Frame } from './gen/frames_pb.ts';

/**
 * Pipecat's WebSocket wire format: every socket message is one binary `pipecat.Frame`
 * (ProtobufFrameSerializer, src/pipecat/serializers/protobuf.py; schema in ./proto/frames.proto).
 * RTVI travels as `MessageFrame.data`, the JSON text of one RTVI message.
 */
export type PipecatFrame = Frame;

export function decodeFrame(bytes: Uint8Array): Frame {
  return fromBinary(FrameSchema, bytes);
}

export function encodeAudioFrame(pcm: Uint8Array, sampleRate: number): Uint8Array {
  // Pipecat's own web client names input audio "audio", mono PCM16 LE (websocket-transport 1.7.1).
  return toBinary(FrameSchema, create(FrameSchema, { frame: { case: 'audio', value: { name: 'audio', audio: pcm, sampleRate, numChannels: 1 } } }));
}

export function encodeMessageFrame(message: unknown): Uint8Array {
  return toBinary(FrameSchema, create(FrameSchema, { frame: { case: 'message', value: { data: JSON.stringify(message) } } }));
}

/** The frame kind shown as the raw row's type: `audio`, `message`, … or `empty` for a Frame without a oneof. */
export function frameKind(frame: Frame): string {
  return frame.frame.case ?? 'empty';
}

/**
 * The frame as readable JSON for the raw view: uint64 ids as numbers (they are small counters),
 * audio bytes replaced by a summary, a message's JSON text parsed when it parses.
 */
export function readableFrame(frame: Frame): { payload: Record<string, unknown>; audio?: AudioSummary } {
  const f = frame.frame;
  switch (f.case) {
    case 'audio': {
      const { id, name, audio, sampleRate, numChannels, pts } = f.value;
      const channels = numChannels || 1;
      const summary: AudioSummary = { bytes: audio.byteLength, sampleRate, durationMs: sampleRate ? Math.round((audio.byteLength / 2 / channels / sampleRate) * 10000) / 10 : 0 };
      return { payload: { audio: { ...ids(id, name), audio: `[${audio.byteLength} bytes PCM16]`, sample_rate: sampleRate, num_channels: numChannels, ...(pts !== undefined ? { pts: Number(pts) } : {}) } }, audio: summary };
    }
    case 'message': {
      let data: unknown = f.value.data;
      try {
        data = JSON.parse(f.value.data) as unknown;
      } catch {
        /* shown as the text it is */
      }
      return { payload: { message: { data } } };
    }
    case 'text':
      return { payload: { text: { ...ids(f.value.id, f.value.name), text: f.value.text } } };
    case 'transcription':
      return { payload: { transcription: { ...ids(f.value.id, f.value.name), text: f.value.text, user_id: f.value.userId, timestamp: f.value.timestamp } } };
    case 'interruption':
      return { payload: { interruption: ids(f.value.id, f.value.name) } };
    default:
      return { payload: {} };
  }
}

function ids(id: bigint, name: string): Record<string, unknown> {
  return { ...(id ? { id: Number(id) } : {}), ...(name ? { name } : {}) };
}
