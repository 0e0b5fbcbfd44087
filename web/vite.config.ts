import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The server serves dist/ at / (index.html never cached, dist/assets/* hashed and cached for a year).
// `npm run dev` proxies the APIs to a server on :8080.
const api = ['/v1', '/v2', '/api', '/predict'];

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, assetsDir: 'assets', sourcemap: false },
  server: { proxy: Object.fromEntries(api.map((p) => [p, 'http://127.0.0.1:8080'])) },
  test: { include: ['src/**/*.test.ts', 'src/**/*.test.tsx'], environment: 'node' },
});
