// Shared by the page tests: where the built page and the CLI are, a fresh
// headless Chromium per scenario, and a driver that talks to the page the way
// a user does (test ids) and waits on its answers (window.__clipsearch).

import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, '../..');
// CMake knows where it put the page and the CLI (tests/web/CMakeLists.txt
// passes them); the build folder's name is the user's choice, so never guess.
function fromCMake(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the page tests through ctest (ctest -L web), or set it by hand`);
  return path.resolve(value);
}
export const WEB_DIR = fromCMake('CLIPSEARCH_WEB_DIR');
export const CLI = fromCMake('CLIPSEARCH_CLI');
// Debian's Python (python3-pil), for test inputs only the page can read.
export const PYTHON = process.env.CLIPSEARCH_PYTHON || '/usr/bin/python3';
export const BACKENDS = (process.env.CLIPSEARCH_WEB_BACKENDS || 'wasm,webgpu').split(',');

const ARGS = [
  '--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];
// Loading a model in software (SwiftShader WebGPU, single-threaded WASM) on a
// 2-core CI machine can take a while; a real failure shows as an error state.
export const LOAD_TIMEOUT_MS = 120_000;

export function requireBuiltPage() {
  for (const f of ['index.html', 'index/manifest.json', 'js/worker/search_worker.js']) {
    if (!fs.existsSync(path.join(WEB_DIR, f))) {
      throw new Error(`${path.join(WEB_DIR, f)} is missing: build the \`web\` target first`);
    }
  }
}

export function cli(...args) {
  return execFileSync(CLI, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// The native tool's answers, the reference the page is held to.
export const nativeEmbedding = (model, ...query) => JSON.parse(cli('embed', '--model', model, ...query));
export const nativeSearch = (index, ...args) => JSON.parse(cli('search', '--index', index, '--json', ...args));

// A browser with a fresh profile (empty caches, no service worker). `args`
// are extra Chromium switches, e.g. to make it a browser that lacks a feature.
// `locale` (e.g. 'zh-CN') is the reader's language: navigator.languages and
// Accept-Language.
export async function launchBrowser({ args = [], locale } = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'clipsearch-web-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CLIPSEARCH_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [...ARGS, ...(locale ? [`--lang=${locale}`] : []), ...args],
    viewport: { width: 1200, height: 900 },
    ...(locale ? { locale } : {}),
  });
  // Every request the pages and their workers make: nothing may leave the
  // machine, and nothing may be sent but GETs for the site's own files.
  const requests = [];
  context.on('request', (r) => requests.push({ method: r.method(), url: r.url() }));
  return {
    context,
    requests,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export class PageDriver {
  constructor(page) {
    this.page = page;
    this.console = [];
    page.on('console', (m) => this.console.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => this.console.push(`pageerror: ${e.message}`));
  }

  static async open(context, url) {
    const driver = new PageDriver(await context.newPage());
    await driver.goto(url);
    return driver;
  }

  async goto(url) {
    this.navigatedAt = Date.now();
    await this.page.goto(url);
  }

  testid(id) {
    return this.page.locator(`[data-testid="${id}"]`);
  }

  async status() {
    const el = this.testid('status');
    return { state: await el.getAttribute('data-state'), text: await el.textContent() };
  }

  // Waits until data-state leaves "loading"; returns the status.
  async settled(timeout = LOAD_TIMEOUT_MS) {
    try {
      await this.page.waitForFunction(() => {
        const s = document.querySelector('[data-testid="status"]');
        return s && s.dataset.state !== 'loading';
      }, null, { timeout, polling: 100 });
    } catch (err) {
      throw new Error(`page never finished loading (${JSON.stringify(await this.status())})\n${this.console.join('\n')}`);
    }
    return this.status();
  }

  async ready(timeout) {
    const s = await this.settled(timeout);
    if (s.state !== 'ready') throw new Error(`page is ${s.state}: ${s.text}\n${this.console.join('\n')}`);
    return s;
  }

  // Runs `action`, then waits for the page's answer to the query it caused.
  async answer(action, timeout = LOAD_TIMEOUT_MS) {
    const before = await this.page.evaluate(() => window.__clipsearch.seq);
    await action();
    await this.page.waitForFunction((n) => {
      const d = window.__clipsearch;
      return d.seq > n && (d.last?.seq === d.seq || d.lastError?.seq === d.seq);
    }, before, { timeout, polling: 20 });
    return this.page.evaluate(() => {
      const d = window.__clipsearch;
      return d.last?.seq === d.seq ? d.last : { error: d.lastError.message };
    });
  }

  search(text) {
    return this.answer(() => this.testid('query').fill(text));
  }

  // Drops a file onto the drop zone, as a user dragging it from the desktop.
  dropFile(file, type = 'image/png') {
    const b64 = fs.readFileSync(file).toString('base64');
    return this.answer(async () => {
      const dt = await this.page.evaluateHandle(({ b64, name, type }) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const t = new DataTransfer();
        t.items.add(new File([bytes], name, { type }));
        return t;
      }, { b64, name: path.basename(file), type });
      await this.testid('drop-zone').dispatchEvent('drop', { dataTransfer: dt });
    });
  }

  // Starts recording tasks that block the page thread (over 50 ms each);
  // longestTaskMs() then says how long the worst one since took.
  watchLongTasks() {
    return this.page.evaluate(() => {
      window.__longTasks = [];
      new PerformanceObserver((l) => window.__longTasks.push(...l.getEntries().map((e) => e.duration))).observe({ type: 'longtask' });
    });
  }

  async longestTaskMs() {
    return Math.max(0, ...(await this.page.evaluate(() => window.__longTasks)));
  }

  // The rendered result cards, in order.
  results() {
    return this.page.$$eval('[data-testid="result"]', (cards) => cards.map((c) => ({
      id: c.dataset.id,
      cosine: Number(c.dataset.score),
      score: c.querySelector('[data-testid="score"]').textContent,
      caption: c.querySelector('[data-testid="caption"]').textContent,
      source: c.querySelector('a.source')?.href,
      alt: c.querySelector('img')?.alt,
      hasSimilar: !!c.querySelector('button[data-testid="similar"]'),
    })));
  }
}

// Forgets everything the site stored in `context` (service worker, Cache
// Storage), so the next page loads as on a first visit.
export async function clearSite(context, siteUrl) {
  const page = await context.newPage();
  await page.goto(siteUrl + 'icon.svg');
  await page.evaluate(async () => {
    for (const r of await navigator.serviceWorker.getRegistrations()) await r.unregister();
    for (const k of await caches.keys()) await caches.delete(k);
  });
  await page.close();
}

export function cosine(a, b) {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

// The demo index's ground truth: captions.jsonl (path, caption, objects).
export function demoTruth() {
  const lines = fs.readFileSync(path.join(WEB_DIR, 'index/captions.jsonl'), 'utf8').trim().split('\n');
  return new Map(lines.map((l) => JSON.parse(l)).map((r) => [r.path, r]));
}

export function timing(fields) {
  console.log(`TIMING ${Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'number' ? Math.round(v) : v}`).join(' ')}`);
}
