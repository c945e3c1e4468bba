/**
 * The bytes of an `opus` AudioChunk: one self-contained Opus stream per chunk, so any chunk can be
 * decoded on its own (seek, replay from the middle) and stored bytes are exported as they are.
 *
 *   u16 LE  length of the decoder description (the OpusHead WebCodecs' AudioEncoder reports)
 *   bytes   the description
 *   then per packet: u16 LE length, the packet bytes
 *
 * Decoding: AudioDecoder({ codec: 'opus', sampleRate: 48000, numberOfChannels: 1, description }),
 * every packet as a key chunk; the output is 48 kHz. Drop the first `preSkip` frames (OpusHead
 * bytes 10–11, at 48 kHz) unless the decoder already did, then keep `samples × 48000 / sampleRate`
 * frames: the encoder pads the last packet to a whole frame.
 */
export interface OpusChunkParts {
  description: Uint8Array;
  packets: Uint8Array[];
}

export function packOpusChunk(parts: OpusChunkParts): Uint8Array {
  const total = 2 + parts.description.byteLength + parts.packets.reduce((n, p) => n + 2 + p.byteLength, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let o = 0;
  const put = (b: Uint8Array) => {
    if (b.byteLength > 0xffff) throw new RangeError('An Opus packet or description over 65535 bytes');
    view.setUint16(o, b.byteLength, true);
    out.set(b, o + 2);
    o += 2 + b.byteLength;
  };
  put(parts.description);
  for (const p of parts.packets) put(p);
  return out;
}

/** Splits an `opus` chunk's bytes; throws on bytes that do not frame exactly (a corrupt chunk). */
export function unpackOpusChunk(data: Uint8Array): OpusChunkParts {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const take = (o: number): [Uint8Array, number] => {
    if (o + 2 > data.byteLength) throw new RangeError('An Opus chunk ends inside a length field');
    const len = view.getUint16(o, true);
    if (o + 2 + len > data.byteLength) throw new RangeError('An Opus packet runs past the end of its chunk');
    return [data.subarray(o + 2, o + 2 + len), o + 2 + len];
  };
  const [description, first] = take(0);
  const packets: Uint8Array[] = [];
  for (let o = first; o < data.byteLength; ) {
    const [p, next] = take(o);
    packets.push(p);
    o = next;
  }
  return { description, packets };
}

/** Pre-skip of an OpusHead description (48 kHz frames to drop at the start), or 0. */
export function opusPreSkip(description: Uint8Array): number {
  if (description.byteLength < 12 || String.fromCharCode(...description.subarray(0, 8)) !== 'OpusHead') return 0;
  return new DataView(description.buffer, description.byteOffset, description.byteLength).getUint16(10, true);
}
