import { defaultClientConditions, defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';

const gateway = `http://127.0.0.1:${process.env.PORT ?? 4000}`;

export default defineConfig(({ command }) => ({
  plugins: [react(), tailwindcss()],
  // In `vite` (dev), the workspace packages come from their src/: a change hot-reloads.
  resolve: command === 'serve' ? { conditions: ['@chat/source', ...defaultClientConditions] } : {},
  server: {
    proxy: {
      '/trpc': { target: gateway, changeOrigin: true, ws: true },
      '/files': { target: gateway, changeOrigin: true },
    },
  },
  preview: {
    proxy: {
      '/trpc': { target: gateway, changeOrigin: true, ws: true },
      '/files': { target: gateway, changeOrigin: true },
    },
  },
  build: { outDir: 'dist', emptyOutDir: true },
}));
