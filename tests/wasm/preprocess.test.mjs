// Image bindings: wasm tensors must equal the native build's bit for bit on
// every golden image (so a photo indexed natively and dropped on the page
// scores ~1.0), and crops must match the Pillow reference crops.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';

import { loadCore, readData, refusal, runCli, testData } from './support.mjs';

const core = await loadCore();
const goldenDir = join(testData, 'image/golden');
const golden = JSON.parse(readFileSync(join(goldenDir, 'preprocess_cases.json')));
const goldenFile = (relative) => readFileSync(join(goldenDir, relative));
const size = golden.size;


// Largest and mean absolute difference between two uint8 pixel arrays.
function pixelDifference(a, b) {
  let worst = 0, sum = 0;
  for (let i = 0; i < a.length; ++i) {
    const e = Math.abs(a[i] - b[i]);
    worst = Math.max(worst, e);
    sum += e;
  }
  return { worst, mean: sum / a.length };
}
test('tensors are bit-identical to `clipsearch preprocess` on every golden image', (t) => {
  // Both sides take size, mean and std from the same model.json.
  const dir = mkdtempSync(join(tmpdir(), 'clipsearch-wasm-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const modelText = readData('model/clip-vit-base-patch32.json');
  writeFileSync(join(dir, 'model.json'), modelText);
  const cfg = core.parseModelManifest(modelText.toString('utf8')).image;
  for (const c of golden.cases) {
    const r = core.preprocessImage(goldenFile(c.image), cfg);
    assert.ok(r.tensor instanceof Float32Array);
    assert.equal(r.tensor.length, 3 * size * size);

    const out = join(dir, 'tensor.f32');
    runCli('preprocess', join(goldenDir, c.image), '--model', dir, '--tensor', out);
    const native = readFileSync(out);
    const wasm = Buffer.from(r.tensor.buffer, r.tensor.byteOffset, r.tensor.byteLength);
    assert.ok(wasm.equals(native), `${c.image}: wasm and native tensors differ`);
  }
});

test('size and hash describe the dropped file', () => {
  for (const c of golden.cases) {
    const bytes = goldenFile(c.image);
    const r = core.preprocessImage(bytes);
    assert.equal(r.sha256, createHash('sha256').update(bytes).digest('hex'));
    // The reference resized the displayed (EXIF-oriented) image: its short
    // side went to `size` and its long side to int(size * long / short).
    const [short, long] = [Math.min(r.width, r.height), Math.max(r.width, r.height)];
    const resized = r.width <= r.height ? [size, Math.trunc(size * long / short)] : [Math.trunc(size * long / short), size];
    assert.deepEqual(resized, c.resized_size, c.image);
  }
});

test('crops match the Pillow reference crops (lossless: within one level)', () => {
  for (const c of golden.cases) {
    const crop = core.preprocessCrop(goldenFile(c.image));
    assert.equal(crop.size, size);
    const reference = core.decodeImage(goldenFile(c.crop));
    assert.equal(reference.width, size);
    assert.equal(reference.height, size);
    const { worst, mean } = pixelDifference(crop.crop, reference.pixels);
    // JPEG decoders (stb_image vs libjpeg) round IDCT output differently, so
    // lossy inputs are held to the mean only (as tests/native/image does).
    if (c.lossy) {
      assert.ok(mean < 2, `${c.image}: mean difference ${mean}`);
    } else {
      assert.ok(worst <= 1 && mean < 0.1, `${c.image}: max ${worst}, mean ${mean}`);
    }
  }
});

test('RGBA from a canvas gives the same tensor as the file', () => {
  for (const c of golden.cases.filter((c) => !c.lossy).slice(0, 6)) {
    const decoded = core.decodeImage(goldenFile(c.image));
    const rgba = new Uint8ClampedArray(decoded.width * decoded.height * 4).fill(255);
    for (let p = 0; p < decoded.width * decoded.height; ++p) rgba.set(decoded.pixels.subarray(3 * p, 3 * p + 3), 4 * p);
    const fromRgba = core.preprocessRgba(rgba, decoded.width, decoded.height, {});
    const fromFile = core.preprocessImage(goldenFile(c.image), {});
    assert.equal(fromRgba.sha256, '');
    assert.deepEqual([fromRgba.width, fromRgba.height], [fromFile.width, fromFile.height]);
    assert.ok(Buffer.from(fromRgba.tensor.buffer).equals(Buffer.from(fromFile.tensor.buffer)), c.image);
  }
});

test('config from a model manifest changes size and normalisation', () => {
  const bytes = goldenFile(golden.cases[0].image);
  const r = core.preprocessImage(bytes, { size: 64, mean: [0, 0, 0], std: [1, 1, 1] });
  assert.equal(r.tensor.length, 3 * 64 * 64);
  const crop = core.preprocessCrop(bytes, { size: 64 });
  // With mean 0 and std 1 the tensor is the crop / 255, channel-major.
  for (const i of [0, 100, 64 * 64 - 1]) assert.ok(Math.abs(r.tensor[i] - crop.crop[3 * i] / 255) < 1e-6);
});

// MobileCLIP's preprocessing: Pillow BILINEAR, shortest side 256, centre crop.
test('bilinear: crops match Pillow and tensors match `clipsearch preprocess`', (t) => {
  const bilinear = JSON.parse(readData('image/bilinear/cases.json'));
  const dir = mkdtempSync(join(tmpdir(), 'clipsearch-wasm-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const model = JSON.parse(readData('model/clip-vit-base-patch32.json'));
  model.image.size = bilinear.size;
  model.image.resample = bilinear.resample;
  const modelText = JSON.stringify(model);
  writeFileSync(join(dir, 'model.json'), modelText);
  const cfg = core.parseModelManifest(modelText).image;
  assert.equal(cfg.resample, 'bilinear');
  for (const c of bilinear.cases) {
    const bytes = readData(join('image', c.image));
    const crop = core.preprocessCrop(bytes, cfg);
    const reference = core.decodeImage(readData(join('image', c.crop)));
    const { worst, mean } = pixelDifference(crop.crop, reference.pixels);
    assert.ok(worst <= 1 && mean < 0.1, `${c.image}: max ${worst}, mean ${mean}`);

    const r = core.preprocessImage(bytes, cfg);
    const out = join(dir, 'tensor.f32');
    runCli('preprocess', join(testData, 'image', c.image), '--model', dir, '--tensor', out);
    const wasm = Buffer.from(r.tensor.buffer, r.tensor.byteOffset, r.tensor.byteLength);
    assert.ok(wasm.equals(readFileSync(out)), `${c.image}: wasm and native tensors differ`);
  }
  assert.match(refusal(() => core.preprocessImage(readData(join('image', bilinear.cases[0].image)), { resample: 'lanczos' })),
    /lanczos/);
});

// Chinese-CLIP's preprocessing: both sides to 224 (aspect not kept), no crop.
test('exact resize: matches Pillow and `clipsearch preprocess`', (t) => {
  const exact = JSON.parse(readData('image/exact/cases.json'));
  const dir = mkdtempSync(join(tmpdir(), 'clipsearch-wasm-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const c of exact.cases) {
    const model = JSON.parse(readData('model/clip-vit-base-patch32.json'));
    Object.assign(model.image, { size: exact.size, resize: exact.resize, crop: exact.crop, resample: c.resample });
    const modelText = JSON.stringify(model);
    writeFileSync(join(dir, 'model.json'), modelText);
    const manifest = core.parseModelManifest(modelText);
    assert.deepEqual([manifest.imageResize, manifest.imageCrop], ['exact', 'none']);
    const cfg = manifest.image;
    assert.deepEqual([cfg.resize, cfg.crop], ['exact', 'none']);

    const bytes = readData(join('image', c.image));
    const crop = core.preprocessCrop(bytes, cfg);
    const reference = core.decodeImage(readData(join('image', c.crop)));
    const { worst, mean } = pixelDifference(crop.crop, reference.pixels);
    assert.ok(worst <= 1 && mean < 0.1, `${c.image} ${c.resample}: max ${worst}, mean ${mean}`);

    const r = core.preprocessImage(bytes, cfg);
    const out = join(dir, 'tensor.f32');
    runCli('preprocess', join(testData, 'image', c.image), '--model', dir, '--tensor', out);
    const wasm = Buffer.from(r.tensor.buffer, r.tensor.byteOffset, r.tensor.byteLength);
    assert.ok(wasm.equals(readFileSync(out)), `${c.image}: wasm and native tensors differ`);
  }
  const png = readData(join('image', exact.cases[0].image));
  assert.match(refusal(() => core.preprocessImage(png, { resize: 'exact', crop: 'center' })), /crop must be "none"/);
  assert.match(refusal(() => core.preprocessImage(png, { resize: 'squash' })), /"squash" is unknown/);
});

test('hostile or unsupported input is refused with a ClipError', () => {
  const png = goldenFile(golden.cases.find((c) => c.image.endsWith('.png')).image);
  const jpeg = goldenFile(golden.cases.find((c) => c.image.endsWith('.jpg')).image);
  const inputs = [
    new Uint8Array(0),
    new Uint8Array(1000).fill(0xab),
    png.subarray(0, 40),
    jpeg.subarray(0, 200),
    new TextEncoder().encode('RIFF\u0000\u0000\u0000\u0000WEBPVP8 '),
  ];
  for (const bytes of inputs) {
    for (const call of [core.preprocessImage, core.preprocessCrop, core.decodeImage]) refusal(() => call(bytes));
  }
  refusal(() => core.preprocessImage(png, { maxPixels: 100 }));
  assert.match(refusal(() => core.preprocessRgba(new Uint8Array(10), 2, 2)), /RGBA/);
  assert.equal(core.preprocessRgba(new Uint8Array(16), 2, 2).tensor.length, 3 * 224 * 224);
  refusal(() => core.preprocessRgba(new Uint8Array(0), 0, 0));
  refusal(() => core.preprocessImage(png, { size: 0 }));
  refusal(() => core.preprocessImage(png, { size: -5 }));
});

test('imageFormat tells the page which files the browser must decode', () => {
  const png = goldenFile(golden.cases.find((c) => c.image.endsWith('.png')).image);
  const jpeg = goldenFile(golden.cases.find((c) => c.image.endsWith('.jpg')).image);
  const webp = new TextEncoder().encode('RIFF\u0024\u0000\u0000\u0000WEBPVP8 ');
  assert.deepEqual({ ...core.imageFormat(png) }, { format: 'PNG', decodable: true });
  assert.deepEqual({ ...core.imageFormat(jpeg) }, { format: 'JPEG', decodable: true });
  assert.deepEqual({ ...core.imageFormat(webp) }, { format: 'WebP', decodable: false });
  assert.equal(core.imageFormat(new Uint8Array(0)).decodable, false);
  assert.match(refusal(() => core.probeImage(webp)), /WebP/);
});

test('probeImage reads the displayed size without decoding', () => {
  for (const c of golden.cases) {
    const bytes = goldenFile(c.image);
    const info = core.probeImage(bytes);
    const decoded = core.preprocessImage(bytes);
    assert.deepEqual([info.width, info.height], [decoded.width, decoded.height], c.image);
  }
});
