// Service worker: keeps the page itself (HTML, CSS, scripts, the wasm core
// and ONNX Runtime's loaders) available offline. The model, the index and
// ONNX Runtime's large .wasm are cached by the search worker, which checks
// them against their manifests; thumbnails are cached here as they are shown.
//
// `cmake --build build --target web` fills in the build id and file list.

const BUILD_ID = '@BUILD_ID@';
const SHELL_FILES = [/* @SHELL_FILES@ */];
const SHELL_CACHE = `clipsearch-shell-${BUILD_ID}`;
const THUMB_CACHE = 'clipsearch-thumbs';
const MAX_THUMBS = 4000;

const scope = new URL(self.registration.scope);
const shellUrls = new Set(SHELL_FILES.map((f) => new URL(f, scope).href));
const pageUrl = new URL('./', scope).href;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    await cache.addAll([...shellUrls]);
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('clipsearch-shell-') && name !== SHELL_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// Cache first for the shell (the build id changes whenever a file does), so
// the page opens offline and instantly.
async function fromShell(request, key) {
  const cache = await caches.open(SHELL_CACHE);
  const hit = await cache.match(key);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) cache.put(key, response.clone());
  return response;
}

// Thumbnails: the cached copy at once, refreshed in the background.
async function fromThumbs(request) {
  const cache = await caches.open(THUMB_CACHE);
  const hit = await cache.match(request);
  const refresh = fetch(request).then(async (response) => {
    if (response.ok && response.type === 'basic') {
      await cache.put(request, response.clone());
      trimThumbs(cache);
    }
    return response;
  });
  if (hit) {
    refresh.catch(() => {});
    return hit;
  }
  return refresh;
}

let trimming = false;
async function trimThumbs(cache) {
  if (trimming) return;
  trimming = true;
  const keys = await cache.keys();
  for (let i = 0; i < keys.length - MAX_THUMBS; i++) await cache.delete(keys[i]);
  trimming = false;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== scope.origin) return;
  if (request.mode === 'navigate' && url.href.split(/[?#]/)[0] === pageUrl) {
    event.respondWith(fromShell(request, new URL('index.html', scope).href));
    return;
  }
  const bare = url.origin + url.pathname;
  if (shellUrls.has(bare)) {
    event.respondWith(fromShell(request, bare));
  } else if (request.destination === 'image') {
    event.respondWith(fromThumbs(request));
  }
  // Everything else (model, index, runtime .wasm) goes to the network; the
  // search worker caches and verifies those itself.
});
