import { fileURLToPath } from 'node:url';
import { build, defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = 'dist-lib';
const worklets = {
  'pcm-capture-processor': 'src/audio/worklets/pcm-capture-processor.ts',
  'pcm-player-processor': 'src/audio/worklets/pcm-player-processor.ts',
};

/**
 * Library mode would inline `?worker&url` worklets as data: URLs, which extension pages refuse.
 * So the library's worklet-urls module is swapped for one that points next to the module
 * (`new URL('./pcm-capture-processor.js', import.meta.url)`), and each processor is built on its
 * own, self-contained, into that place once the main bundle is written.
 */
function buildWorklets(): Plugin {
  return {
    name: 'build-worklets-beside-library',
    apply: 'build',
    async closeBundle() {
      for (const [name, entry] of Object.entries(worklets)) {
        await build({
          configFile: false,
          root,
          publicDir: false,
          logLevel: 'warn',
          build: {
            outDir,
            emptyOutDir: false,
            sourcemap: true,
            minify: false,
            lib: { entry, formats: ['es'], fileName: () => `${name}.js` },
          },
        });
      }
    },
  };
}

export default defineConfig({
  resolve: {
    alias: [
      {
        find: /^\.\/worklet-urls\.ts$/,
        replacement: fileURLToPath(new URL('./src/audio/worklet-urls.lib.ts', import.meta.url)),
      },
    ],
  },
  publicDir: false,
  plugins: [buildWorklets()],
  build: {
    outDir,
    emptyOutDir: true,
    sourcemap: true,
    minify: false,
    assetsInlineLimit: 0,
    lib: {
      entry: 'src/index.ts',
      formats: ['es'],
      fileName: () => 'index.js',
    },
    rolldownOptions: {
      external: (id) => id === '@pipecat-ai/client-js' || id.startsWith('@pipecat-ai/client-js/'),
    },
  },
});
