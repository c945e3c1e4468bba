/**
 * The echo check's probe: speech-like sound (harmonics of a fundamental gliding 110–190 Hz,
 * falling 6 dB/octave, under a 4 Hz syllable envelope with short noisy consonants). An echo
 * canceller adapts to broadband, non-stationary input like a voice; a steady tone would let it
 * settle on one frequency, and noise alone could be taken for the room.
 */
export function speechLikeProbe(sampleRate: number, ms: number, amplitude = 0.3, seed = 12345): Float32Array {
  const n = Math.round((ms / 1000) * sampleRate);
  const x = new Float32Array(n);
  let s = seed;
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    const f0 = 150 + 40 * Math.sin(2 * Math.PI * 0.7 * t) + 15 * Math.sin(2 * Math.PI * 2.3 * t);
    phase += (2 * Math.PI * f0) / sampleRate;
    let v = 0;
    for (let h = 1; h <= 12; h++) v += Math.sin(h * phase) / h;
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const noise = s / 0x7fffffff - 0.5;
    const syl = (t * 4) % 1;
    const env = syl < 0.7 ? Math.sin((Math.PI * syl) / 0.7) : 0;
    const consonant = syl >= 0.75 && syl < 0.85 ? 0.8 : 0;
    x[i] = amplitude * (0.6 * env * v + consonant * noise);
  }
  return x;
}
