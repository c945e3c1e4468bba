import { describe, expect, it } from 'vitest';
import { decodeWav } from './wav-decoder.ts';

function wav(samples: number[][], rate: number, bits: 16 | 24 | 32, float = false): Uint8Array {
  const channels = samples.length;
  const frames = samples[0]!.length;
  const bytesPer = bits / 8;
  const buf = new DataView(new ArrayBuffer(44 + frames * channels * bytesPer));
  const put = (at: number, s: string) => [...s].forEach((ch, i) => buf.setUint8(at + i, ch.charCodeAt(0)));
  put(0, 'RIFF');
  buf.setUint32(4, 36 + frames * channels * bytesPer, true);
  put(8, 'WAVEfmt ');
  buf.setUint32(16, 16, true);
  buf.setUint16(20, float ? 3 : 1, true);
  buf.setUint16(22, channels, true);
  buf.setUint32(24, rate, true);
  buf.setUint32(28, rate * channels * bytesPer, true);
  buf.setUint16(32, channels * bytesPer, true);
  buf.setUint16(34, bits, true);
  put(36, 'data');
  buf.setUint32(40, frames * channels * bytesPer, true);
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < channels; c++) {
      const at = 44 + (f * channels + c) * bytesPer;
      const v = samples[c]![f]!;
      if (float) buf.setFloat32(at, v, true);
      else if (bits === 16) buf.setInt16(at, Math.round(v * 32767), true);
      else if (bits === 24) {
        const i = Math.round(v * 8388607);
        buf.setUint8(at, i & 0xff);
        buf.setUint8(at + 1, (i >> 8) & 0xff);
        buf.setInt8(at + 2, i >> 16);
      } else buf.setInt32(at, Math.round(v * 2147483647), true);
    }
  }
  return new Uint8Array(buf.buffer);
}

describe('decodeWav', () => {
  it('reads 16-bit mono as is, and averages stereo channels', () => {
    expect(Array.from(decodeWav(wav([[0.5, -0.5, 0.0001]], 16000, 16)).pcm)).toEqual([16384, -16383, 3]);
    const stereo = decodeWav(wav([[0.5, 0.5], [-0.5, 0.25]], 48000, 16));
    expect(stereo.sampleRate).toBe(48000);
    expect(Array.from(stereo.pcm).map((v) => Math.round(v / 32.768))).toEqual([0, 375]);
  });

  it('reads 24-bit and float WAVs', () => {
    expect(decodeWav(wav([[0.25]], 24000, 24)).pcm[0]).toBe(8192);
    expect(decodeWav(wav([[-1, 1]], 24000, 32, true)).pcm).toEqual(new Int16Array([-32768, 32767]));
  });

  it('refuses what it cannot read, naming the file and why', () => {
    expect(() => decodeWav(new TextEncoder().encode('ID3 not a wav at all'), 'hello.mp3')).toThrow('hello.mp3 is not a WAV file (no RIFF/WAVE header)');
    const adpcm = wav([[0]], 16000, 16);
    new DataView(adpcm.buffer).setUint16(20, 2, true);
    expect(() => decodeWav(adpcm, 'a.wav')).toThrow('a.wav: unsupported WAV encoding (format 2, 16-bit); use PCM or float');
  });
});
