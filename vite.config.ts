import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { crx } from '@crxjs/vite-plugin';
import manifest from './manifest.json' with { type: 'json' };

export default defineConfig({
  plugins: [react(), crx({ manifest })],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Extension pages refuse data: URLs for worklets and scripts: never inline assets.
    assetsInlineLimit: 0,
    sourcemap: true,
    rolldownOptions: {
      // Pages the manifest does not reference: the offscreen session host and the mic grant page.
      input: {
        offscreen: 'extension/offscreen/index.html',
        permission: 'extension/permission/index.html',
      },
    },
  },
  server: { port: 5173, strictPort: true },
});
