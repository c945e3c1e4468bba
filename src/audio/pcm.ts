/** PCM16 little-endian helpers shared by adapters, worklets and tests. Pure, no DOM. */

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_LOOKUP = (() => {
  const t = new Int16Array(256).fill(-1);
  for (let i = 0; i < B64.length; i++) t[B64.charCodeAt(i)] = i;
  t['-'.charCodeAt(0)] = 62; // base64url tolerated on input
  t['_'.charCodeAt(0)] = 63;
  return t;
})();

export function bytesToBase64(bytes: Uint8Array): string {
  let out = '';
  const n = bytes.length;
  let i = 0;
  const parts: string[] = [];
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64[(v >> 18) & 63] + B64[(v >> 12) & 63] + B64[(v >> 6) & 63] + B64[v & 63];
    if (out.length > 8192) { parts.push(out); out = ''; }
  }
  if (i < n) {
    const rem = n - i;
    const v = (bytes[i] << 16) | (rem > 1 ? bytes[i + 1] << 8 : 0);
    out += B64[(v >> 18) & 63] + B64[(v >> 12) & 63] + (rem > 1 ? B64[(v >> 6) & 63] : '=') + '=';
  }
  parts.push(out);
  return parts.join('');
}

export class InvalidBase64Error extends Error {
  constructor(message = 'invalid base64 data') {
    super(message);
    this.name = 'InvalidBase64Error';
  }
}

/** Strict decoder: throws InvalidBase64Error on characters outside the alphabet (whitespace skipped). */
export function base64ToBytes(b64: string): Uint8Array {
  const clean = b64.replace(/[\s]/g, '').replace(/=+$/, '');
  const n = clean.length;
  if (n % 4 === 1) throw new InvalidBase64Error('invalid base64 length');
  const out = new Uint8Array(Math.floor((n * 3) / 4));
  let o = 0;
  for (let i = 0; i < n; i += 4) {
    const a = lookup(clean, i), b = lookup(clean, i + 1);
    const c = i + 2 < n ? lookup(clean, i + 2) : 0;
    const d = i + 3 < n ? lookup(clean, i + 3) : 0;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = (v >> 16) & 255;
    if (i + 2 < n) out[o++] = (v >> 8) & 255;
    if (i + 3 < n) out[o++] = v & 255;
  }
  return out;
}

function lookup(s: string, i: number): number {
  const code = s.charCodeAt(i);
  const v = code < 256 ? B64_LOOKUP[code] : -1;
  if (v < 0) throw new InvalidBase64Error(`invalid base64 character at ${i}`);
  return v;
}

/** Float32 [-1, 1] → Int16 with clamping (a +1.0 sample must not wrap to −32768). Returns clipped count. */
export function floatToInt16(input: Float32Array, output: Int16Array, outOffset = 0): number {
  let clipped = 0;
  for (let i = 0; i < input.length; i++) {
    let s = input[i];
    if (s >= 1) { s = 1; if (input[i] > 1) clipped++; }
    else if (s <= -1) { s = -1; if (input[i] < -1) clipped++; }
    else if (s !== s) s = 0; // NaN
    output[outOffset + i] = s < 0 ? Math.round(s * 0x8000) : Math.round(s * 0x7fff);
  }
  return clipped;
}

export function int16ToFloat(input: Int16Array, output: Float32Array, outOffset = 0): void {
  for (let i = 0; i < input.length; i++) output[outOffset + i] = input[i] / 0x8000;
}

/** Interprets little-endian PCM16 bytes as Int16 samples (copying when unaligned). */
export function bytesToInt16(bytes: Uint8Array): Int16Array {
  const n = bytes.byteLength >> 1;
  if (bytes.byteOffset % 2 === 0) return new Int16Array(bytes.buffer, bytes.byteOffset, n);
  return new Int16Array(bytes.slice(0, n * 2).buffer);
}

export function int16ToBase64(samples: Int16Array): string {
  return bytesToBase64(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
}

export function base64ToInt16(b64: string): Int16Array {
  return bytesToInt16(base64ToBytes(b64));
}

/** Decoded byte length of a base64 string without decoding it. */
export function base64DecodedLength(b64: string): number {
  const len = b64.length;
  if (len === 0) return 0;
  let pad = 0;
  if (b64.endsWith('==')) pad = 2;
  else if (b64.endsWith('=')) pad = 1;
  return Math.floor((len * 3) / 4) - pad;
}

export function pcm16DurationMs(bytes: number, sampleRate: number): number {
  return (bytes / 2 / sampleRate) * 1000;
}

export function rms(samples: Float32Array | Int16Array): number {
  if (samples.length === 0) return 0;
  const scale = samples instanceof Int16Array ? 1 / 0x8000 : 1;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i] * scale;
    sum += v * v;
  }
  return Math.sqrt(sum / samples.length);
}
