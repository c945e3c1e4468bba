import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as lib from './index.ts';

/** The library is what third parties import: measurement helpers and bench hooks stay outside it. */
describe('the library public surface', () => {
  it('exports the transport, the media manager and its helpers, not bench-only code', () => {
    const names = Object.keys(lib);
    expect(names).toEqual(expect.arrayContaining(['RealTimeWebsocketTransport', 'MediaManager', 'AudioWorkletMediaManager', 'Resampler', 'pcm']));
    for (const benchOnly of ['LinearResampler', 'measureResampler', 'AUDIO_OVERRIDES_GLOBAL', 'readAudioOverrides']) expect(names).not.toContain(benchOnly);
  });

  it('exports the Pipecat bot transport (WebSocket), its descriptor and its start error, as registered', () => {
    expect(typeof lib.PipecatWebsocketTransport).toBe('function');
    expect(new lib.PipecatWebsocketTransport({})).toBeInstanceOf(lib.RealTimeWebsocketTransport);
    expect(lib.pipecatWebsocketDescriptor.id).toBe('pipecat-websocket');
    expect(lib.findAdapter('pipecat-websocket')).toBe(lib.pipecatWebsocketDescriptor);
    expect(lib.pipecatStartHostPermission('http://localhost:7860/start')).toBe('http://localhost/*');
    expect(new lib.BotStartError(503, 'Service Unavailable', 'busy').message).toMatch(/HTTP 503 Service Unavailable: busy/);
    expect(lib.PIPECAT_DEFAULT_ENDPOINT).toBe('ws://localhost:8765');
  });

  it('exports the Pipecat bot transport (WebRTC) and its descriptor, as registered', () => {
    expect(typeof lib.PipecatWebrtcTransport).toBe('function');
    expect(new lib.PipecatWebrtcTransport({})).toBeInstanceOf(lib.RealTimeWebsocketTransport);
    expect(lib.pipecatWebrtcDescriptor.id).toBe('pipecat-webrtc');
    expect(lib.findAdapter('pipecat-webrtc')).toBe(lib.pipecatWebrtcDescriptor);
    expect(lib.PIPECAT_WEBRTC_DEFAULT_ENDPOINT).toBe('http://localhost:7860/api/offer');
    expect(new lib.BotHttpError('offer', 422, 'Unprocessable Entity', 'bad sdp').message).toBe("The Pipecat bot's offer endpoint refused: HTTP 422 Unprocessable Entity: bad sdp");
  });

  it('no library module touches the chrome.* extension APIs (the library runs in any page)', () => {
    const offenders = libraryFiles(import.meta.dirname).filter((f) => /\bchrome\s*\.\s*[a-z]+\s*\.|\bbrowser\.runtime\b|webextension-polyfill/.test(stripComments(readFileSync(f, 'utf8'))));
    expect(offenders).toEqual([]);
  });

  it('no library module reads a global override hook', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) files.push(p);
      }
    };
    walk(import.meta.dirname);
    const offenders = files.filter((f) => /__realtimeAudioOverrides|AudioOverrides/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});

function libraryFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...libraryFiles(p));
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** Comments may name chrome.* (why a thing is done); code may not. */
function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}
