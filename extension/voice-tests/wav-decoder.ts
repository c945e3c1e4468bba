import type { SpeechAudio } from './scenario-runner.ts';

/**
 * Reads a WAV file a scenario ships (PCM 8/16/24/32-bit or IEEE float, any channel count, any
 * rate) as mono 16-bit PCM: channels are averaged, the rate kept (the capture path resamples).
 * Throws a plain reason for anything else, naming what was found.
 */
export function decodeWav(bytes: Uint8Array, name = 'the file'): SpeechAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error(`${name} is not a WAV file (no RIFF/WAVE header)`);
  let fmt: { format: number; channels: number; rate: number; bits: number } | null = null;
  let data: { at: number; size: number } | null = null;
  for (let at = 12; at + 8 <= bytes.length; ) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ' && size >= 16) {
      let format = view.getUint16(body, true);
      // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the sub-format GUID.
      if (format === 0xfffe && size >= 26) format = view.getUint16(body + 24, true);
      fmt = { format, channels: view.getUint16(body + 2, true), rate: view.getUint32(body + 4, true), bits: view.getUint16(body + 14, true) };
    } else if (id === 'data') {
      data = { at: body, size: Math.min(size, bytes.length - body) };
      break;
    }
    at = body + size + (size % 2);
  }
  if (!fmt) throw new Error(`${name} has no fmt chunk`);
  if (!data) throw new Error(`${name} has no data chunk`);
  const { format, channels, rate, bits } = fmt;
  const pcm = format === 1 && [8, 16, 24, 32].includes(bits);
  const float = format === 3 && (bits === 32 || bits === 64);
  if (!pcm && !float) throw new Error(`${name}: unsupported WAV encoding (format ${format}, ${bits}-bit); use PCM or float`);
  if (channels < 1 || rate < 8000 || rate > 192_000) throw new Error(`${name}: unsupported WAV layout (${channels} channels at ${rate} Hz)`);
  const bytesPer = bits / 8;
  const frames = Math.floor(data.size / (bytesPer * channels));
  const out = new Int16Array(frames);
  const read = (at: number): number => {
    if (float) return bits === 32 ? view.getFloat32(at, true) : view.getFloat64(at, true);
    switch (bits) {
      case 8:
        return (view.getUint8(at) - 128) / 128;
      case 16:
        return view.getInt16(at, true) / 32768;
      case 24: {
        const v = view.getUint8(at) | (view.getUint8(at + 1) << 8) | (view.getInt8(at + 2) << 16);
        return v / 8388608;
      }
      default:
        return view.getInt32(at, true) / 2147483648;
    }
  };
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += read(data.at + (f * channels + c) * bytesPer);
    // One scale (2^15) both ways, so 16-bit input comes back sample for sample.
    out[f] = Math.max(-32768, Math.min(32767, Math.round((sum / channels) * 32768)));
  }
  return { pcm: out, sampleRate: rate };
}
