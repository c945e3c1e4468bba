import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writePcm16Wav } from './wav-file.ts';

describe('writePcm16Wav', () => {
  it('writes a mono 16-bit PCM WAV header and the samples little-endian', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'wav-')), 'x.wav');
    writePcm16Wav(file, Int16Array.from([0, 1, -1, 32767, -32768]), 16000);
    const b = readFileSync(file);
    expect(b.toString('ascii', 0, 4)).toBe('RIFF');
    expect(b.readUInt32LE(4)).toBe(36 + 10);
    expect(b.toString('ascii', 8, 16)).toBe('WAVEfmt ');
    expect([b.readUInt16LE(20), b.readUInt16LE(22), b.readUInt32LE(24), b.readUInt32LE(28), b.readUInt16LE(32), b.readUInt16LE(34)]).toEqual([1, 1, 16000, 32000, 2, 16]);
    expect(b.toString('ascii', 36, 40)).toBe('data');
    expect(b.readUInt32LE(40)).toBe(10);
    expect([0, 1, 2, 3, 4].map((i) => b.readInt16LE(44 + 2 * i))).toEqual([0, 1, -1, 32767, -32768]);
  });
});
