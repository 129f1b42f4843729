// The app's build: SolidJS, and the service worker (sw/sw.ts) built by vite-plugin-pwa in
// injectManifest mode, so the worker is our own TypeScript with Workbox's precache
// manifest injected at `self.__WB_MANIFEST`.
//
// The backend the app talks to is read at run time from `/config.json` (see
// src/sync/runtime-config.ts); VITE_SUPABASE_URL / VITE_SUPABASE_ANON_KEY are only the
// fallback baked into a build, e.g. for a static deployment against hosted Supabase.
import { defineConfig, loadEnv } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import solid from 'vite-plugin-solid';
import { appSecurityHeaders } from './supabase/local/app-headers.ts';

/**
 * Brand colours, as in src/ui/tokens.css (--green, --bg): the icon tile and title bar, and
 * the splash screen. index.html's theme-color meta repeats the first.
 */
const THEME_COLOR = '#008069';
const BACKGROUND_COLOR = '#f0f2f5';

export default defineConfig(({ mode }) => ({
  plugins: [
    solid(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'sw',
      filename: 'sw.ts',
      // The page asks before a new version takes over (issue 4's "reload" prompt);
      // src/main.tsx registers the worker itself with workbox-window.
      registerType: 'prompt',
      injectRegister: false,
      injectManifest: {
        // A classic script: no module-worker support needed, importScripts stays possible.
        rollupFormat: 'iife',
        // The web manifest is added by the plugin itself.
        globPatterns: ['**/*.{js,css,html,svg,png,woff2}'],
        // The whole app must open offline: Workbox's 2 MiB default would fail the build once
        // RxDB, supabase-js and the UI share a chunk.
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
      },
      manifest: {
        id: '/',
        name: 'Pigeon',
        short_name: 'Pigeon',
        description:
          'Message your customers on WhatsApp: contacts, templates, campaigns and a shared inbox that work offline.',
        lang: 'en',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'any',
        theme_color: THEME_COLOR,
        background_color: BACKGROUND_COLOR,
        categories: ['business', 'productivity'],
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      // globPatterns already precache public/ (icons included): no duplicate entries.
      includeManifestIcons: false,
      devOptions: { enabled: false },
    }),
  ],
  // No source maps in the build: dist/ is what gets served, and maps would publish the source.
  build: {
    sourcemap: false,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
  },
  preview: {
    host: '127.0.0.1',
    port: 4173,
    // As npm start serves it, against the backend baked into the build.
    headers: appSecurityHeaders(loadEnv(mode, process.cwd(), 'VITE_').VITE_SUPABASE_URL),
  },
}));
