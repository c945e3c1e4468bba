/**
 * Default worklet URLs for builds made by Vite from source (the extension, dev pages): `?worker&url`
 * compiles each processor into its own packaged .js file. Extension CSP refuses blob: and data:
 * worklets, so plain `?url` or inlined assets would not load. The library build swaps this module for
 * worklet-urls.lib.ts (see vite.lib.config.ts).
 */
import captureUrl from './worklets/pcm-capture-processor.ts?worker&url';
import playerUrl from './worklets/pcm-player-processor.ts?worker&url';

export const defaultCaptureWorkletUrl: string = captureUrl;
export const defaultPlayerWorkletUrl: string = playerUrl;
