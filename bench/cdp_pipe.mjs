// Headless Chromium driven over the DevTools protocol on a pipe, with no
// protocol domain enabled: only Target, Page.navigate and Runtime.evaluate.
//
// Why not Playwright here: Playwright enables the Network domain on every
// page and worker, and Chromium then keeps a copy of each response body the
// page fetches (up to its DevTools buffer limits) inside the renderer. A
// page that streams 100 MB of index heads shows that copy as 100 MB more
// resident memory, which no user has (measured: fifteen 7 MB mappings, one
// per fetched head, in the renderer under Playwright; none without it), and
// pays for the copying in query time. Memory and latency of the page itself
// are measured through this driver instead.
//
//   const browser = await launchPipeBrowser({ executablePath, userDataDir, args });
//   const page = await browser.newPage(url);
//   await page.waitFor('window.__clipsearch.firstResultMs !== null', { timeoutMs });
//   const value = await page.evaluate('document.title');
//   await browser.close();

import { spawn } from 'node:child_process';

export async function launchPipeBrowser({ executablePath, userDataDir, args = [] }) {
  const proc = spawn(executablePath, ['--headless=new', '--remote-debugging-pipe', '--no-first-run',
    '--no-default-browser-check', `--user-data-dir=${userDataDir}`, ...args, 'about:blank'],
  { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  const toBrowser = proc.stdio[3];
  const fromBrowser = proc.stdio[4];
  const pending = new Map();  // id -> {resolve, reject, method}
  let nextId = 0;
  let buffered = Buffer.alloc(0);
  fromBrowser.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (let end = buffered.indexOf(0); end >= 0; end = buffered.indexOf(0)) {
      const message = JSON.parse(buffered.subarray(0, end).toString('utf8'));
      buffered = buffered.subarray(end + 1);
      const waiter = message.id !== undefined && pending.get(message.id);
      if (!waiter) continue;  // events: none are enabled that matter here
      pending.delete(message.id);
      if (message.error) waiter.reject(new Error(`${waiter.method}: ${message.error.message}`));
      else waiter.resolve(message.result);
    }
  });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  exited.then(() => {
    for (const w of pending.values()) w.reject(new Error(`Chromium exited during ${w.method}: ${stderr.trim().split('\n').at(-1) || ''}`));
    pending.clear();
  });
  const send = (method, params = {}, sessionId = undefined) => new Promise((resolve, reject) => {
    const id = ++nextId;
    pending.set(id, { resolve, reject, method });
    toBrowser.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
  });

  return {
    pid: proc.pid,
    async newPage(url) {
      const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
      const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
      const page = {
        // Runs `expression` in the page; resolves to its value (promises awaited).
        async evaluate(expression) {
          const r = await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, sessionId);
          if (r.exceptionDetails) throw new Error(`evaluate: ${r.exceptionDetails.exception?.description || r.exceptionDetails.text}`);
          return r.result.value;
        },
        // Polls `expression` until it is truthy; resolves to its value.
        async waitFor(expression, { timeoutMs = 60_000, pollMs = 10 } = {}) {
          const deadline = Date.now() + timeoutMs;
          for (;;) {
            const value = await page.evaluate(expression).catch(() => undefined);  // navigating: no context yet
            if (value) return value;
            if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
            await new Promise((r) => setTimeout(r, pollMs));
          }
        },
      };
      await send('Page.navigate', { url }, sessionId);
      return page;
    },
    async close() {
      await send('Browser.close').catch(() => {});
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
    },
  };
}
