import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The web app is built into the package's dist/web, which `oxy serve` serves (src/server/web-app.ts).
// `npm run dev:web` proxies /api to a server on :3000 for hot reload while editing.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    // .vite/manifest.json: the chunk graph, read by the bundle-size test (test/web/bundle-size.test.ts).
    manifest: true,
    // Pages load on demand (React.lazy); the editor and charts are their own chunks.
    chunkSizeWarningLimit: 1200,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
