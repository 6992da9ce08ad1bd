import { defineConfig } from "vite";

// The service worker is its own classic script at the site root (/sw.js, scope /): an IIFE,
// not a module, so every browser can register it. Built after the app into the same dist/.
export default defineConfig({
  publicDir: false,
  build: {
    outDir: "dist",
    emptyOutDir: false,
    copyPublicDir: false,
    target: "es2020",
    sourcemap: false,
    lib: {
      entry: "src/sw.ts",
      formats: ["iife"],
      name: "todoServiceWorker",
      fileName: () => "sw.js",
    },
  },
});
