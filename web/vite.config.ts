import { defineConfig } from 'vite';

/** The dev server (`npx vite web`) forwards the API's paths to `npm start` on its default port. */
const api = 'http://127.0.0.1:2567';
const proxied = ['/v1', '/files', '/matchmake', '/.well-known', '/openapi.json', '/healthz'];

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The room page and CodeMirror are dynamic imports: their own chunks, fetched when a room opens.
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    // CodeMirror (~600 kB) is only fetched by the room page.
    chunkSizeWarningLimit: 700,
  },
  server: {
    proxy: {
      ...Object.fromEntries(proxied.map((p) => [p, api])),
      '/socket.io': { target: api, ws: true },
    },
  },
});
