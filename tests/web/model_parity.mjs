// The page against the CLI for one model folder: the page (on a backend)
// must embed texts and images as `clipsearch embed` does with the same
// file: the answer says which precision each encoder ran (`encoders`), and
// the CLI runs that one (`--precision`). Shared by models.test.mjs
// (stand-ins, offline) and online.test.mjs (the real catalog models, where
// one folder holds fp32, fp16 and int8 files).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cli, cosine, nativeEmbedding, PageDriver } from './harness.mjs';

// A three-image index of `images` ([path, caption]) built with the model.
export function buildIndex(modelDir, images, out) {
  const src = `${out}-src`;
  fs.mkdirSync(src, { recursive: true });
  const rows = images.map(([file, caption], i) => {
    const name = `img${i}${path.extname(file)}`;
    fs.copyFileSync(file, path.join(src, name));
    return JSON.stringify({ path: name, caption, id: path.basename(file) });
  });
  fs.writeFileSync(path.join(src, 'captions.jsonl'), `${rows.join('\n')}\n`);
  cli('index', '--model', modelDir, '--device', 'cpu', '--input', path.join(src, 'captions.jsonl'), '--out', out);
  return out;
}

// Opens the page on `backend` with the model and index (URLs relative to the
// server), runs `texts` and drops `images`, and compares every query
// embedding with the CLI's. Returns the page's status and the figures.
export async function checkPageMatchesCli(browser, server, { modelDir, modelUrl, indexUrl, backend, texts, images, minCosine }) {
  const page = await PageDriver.open(browser.context, `${server.url}?backend=${backend}&model=${modelUrl}&index=${indexUrl}`);
  try {
    const status = await page.ready();
    const figures = [];
    for (const text of texts) {
      // Quoted: the search box reads expressions, and "black-and-white"
      // unquoted would be "black" minus "and" minus "white".
      const answer = await page.search(`"${text}"`);
      assert.ok(!answer.error, `${backend}: "${text}": ${answer.error}`);
      const precision = answer.encoders.text;
      const c = cosine(answer.embedding, nativeEmbedding(modelDir, '--device', 'cpu', '--precision', precision, '--text', text));
      figures.push({ query: text, precision, cosine: c });
      assert.ok(c >= minCosine, `${backend}: "${text}" embeds at cosine ${c} to the CLI's (want >= ${minCosine})`);
    }
    for (const image of images) {
      const answer = await page.dropFile(image, image.endsWith('.jpg') ? 'image/jpeg' : 'image/png');
      assert.ok(!answer.error, `${backend}: ${image}: ${answer.error}`);
      const precision = answer.encoders.vision;
      const c = cosine(answer.embedding, nativeEmbedding(modelDir, '--device', 'cpu', '--precision', precision, '--image', image));
      figures.push({ query: path.basename(image), precision, cosine: c });
      assert.ok(c >= minCosine, `${backend}: ${path.basename(image)} embeds at cosine ${c} to the CLI's (want >= ${minCosine})`);
    }
    const backendText = await page.testid('backend').textContent();
    return { status: await page.status(), figures, backendText, first: status, page };
  } catch (err) {
    await page.page.close();
    throw err;
  }
}
