import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * `vite build --mode stack` (what `npm start` and the browser tests serve) keeps the dev sign-in and
 * the phone view; `vite build` (production, what the CDK app hosts) compiles them out: `__LOCAL__` is
 * a constant, so the bundler drops the local-only branches and their modules.
 */
export default defineConfig(({ mode }) => ({
  root: import.meta.dirname,
  plugins: [react()],
  define: { __LOCAL__: JSON.stringify(mode !== 'production') },
  build: {
    outDir: mode === 'production' ? 'dist/production' : 'dist/stack',
    emptyOutDir: true,
    // The strict CSP allows no inline script or style: keep every asset a file.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    port: Number(process.env.WEB_PORT ?? 5173),
    proxy: {
      '/v1': `http://localhost:${process.env.PORT ?? 3000}`,
      '/_local/token': `http://localhost:${process.env.PORT ?? 3000}`,
    },
  },
}));
