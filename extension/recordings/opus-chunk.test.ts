import { describe, expect, it } from 'vitest';
import { encodeRecordingFile, decodeRecordingFile } from './export-file.ts';
import { opusPreSkip, packOpusChunk, unpackOpusChunk } from './opus-chunk.ts';
import { RECORDING_FORMAT_VERSION, type Recording } from './recording-format.ts';

// An OpusHead (RFC 7845 §5.1): magic, version 1, 1 channel, pre-skip 312, 48 kHz input, gain 0, family 0.
const HEAD = new Uint8Array([0x4f, 0x70, 0x75, 0x73, 0x48, 0x65, 0x61, 0x64, 1, 1, 0x38, 0x01, 0x80, 0xbb, 0, 0, 0, 0, 0]);

describe('opus chunk framing', () => {
  it('packs and unpacks the description and packets exactly', () => {
    const packets = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array(300).fill(7)];
    const data = packOpusChunk({ description: HEAD, packets });
    const back = unpackOpusChunk(data);
    expect([...back.description]).toEqual([...HEAD]);
    expect(back.packets.map((p) => [...p])).toEqual(packets.map((p) => [...p]));
    expect(opusPreSkip(back.description)).toBe(312);
  });

  it('rejects bytes that do not frame, and an export holding such a chunk is refused whole', () => {
    const data = packOpusChunk({ description: HEAD, packets: [new Uint8Array(40)] });
    expect(() => unpackOpusChunk(data.subarray(0, data.length - 1))).toThrow(/past the end/);
    const rec = (bytes: Uint8Array): Recording => ({
      meta: { id: 'x', name: 'x', createdAt: 1, adapterId: 'loopback', durationMs: 20, turns: 0, sizeBytes: 1, keep: false, origin: 'session', complete: true, settings: {}, formatVersion: RECORDING_FORMAT_VERSION },
      events: [],
      audio: [{ track: 'mic', seq: 0, t: 0, sampleRate: 16000, samples: 320, codec: 'opus', data: bytes }],
    });
    expect(decodeRecordingFile(encodeRecordingFile(rec(data))).ok).toBe(true);
    const bad = decodeRecordingFile(encodeRecordingFile(rec(data.subarray(0, data.length - 1))));
    expect(bad.ok === false && bad.error).toMatch(/mic track, chunk 0: its Opus packets do not frame/);
  });
});
