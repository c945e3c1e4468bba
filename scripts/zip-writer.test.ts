import { crc32, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { zipFiles } from './zip-writer.mjs';

/** Reads entries back through the central directory, as unzip and the Web Store do. */
function readZip(zip: Buffer): Array<{ name: string; data: Buffer }> {
  const end = zip.length - 22;
  expect(zip.readUInt32LE(end)).toBe(0x06054b50);
  const count = zip.readUInt16LE(end + 10);
  let p = zip.readUInt32LE(end + 16);
  const out: Array<{ name: string; data: Buffer }> = [];
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(p)).toBe(0x02014b50);
    const method = zip.readUInt16LE(p + 10);
    const crc = zip.readUInt32LE(p + 16);
    const size = zip.readUInt32LE(p + 20);
    const nameLen = zip.readUInt16LE(p + 28);
    const local = zip.readUInt32LE(p + 42);
    const name = zip.toString('utf8', p + 46, p + 46 + nameLen);
    expect(zip.readUInt32LE(local)).toBe(0x04034b50);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const body = zip.subarray(start, start + size);
    const data = method === 8 ? inflateRawSync(body) : Buffer.from(body);
    expect(crc32(data)).toBe(crc);
    out.push({ name, data });
    p += 46 + nameLen;
  }
  return out;
}

describe('zipFiles', () => {
  it('round-trips deflated and stored entries with their names and CRCs', () => {
    const files = [
      { name: 'manifest.json', data: Buffer.from(JSON.stringify({ version: '0.1.0', name: 'x'.repeat(200) })) },
      { name: 'assets/ünïcode.js', data: Buffer.from('console.log(1);'.repeat(50)) },
      { name: 'icons/empty.bin', data: Buffer.alloc(0) },
      { name: 'noise.bin', data: Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7919) % 251)) },
    ];
    const back = readZip(zipFiles(files));
    expect(back.map((f) => f.name)).toEqual(files.map((f) => f.name));
    back.forEach((f, i) => expect(f.data.equals(files[i]!.data)).toBe(true));
  });

  it('gives the same bytes for the same input', () => {
    const files = [{ name: 'a.txt', data: Buffer.from('hello') }];
    expect(zipFiles(files).equals(zipFiles(files))).toBe(true);
  });
});
