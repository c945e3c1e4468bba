/**
 * Worklet URLs for the published library: the processors ship as separate .js files next to the
 * library module (dist-lib/), so a bundler or an extension page serves them as real files.
 */
export const defaultCaptureWorkletUrl: string = new URL(/* @vite-ignore */ './pcm-capture-processor.js', import.meta.url).href;
export const defaultPlayerWorkletUrl: string = new URL(/* @vite-ignore */ './pcm-player-processor.js', import.meta.url).href;
