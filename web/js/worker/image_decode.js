// Image bytes -> the vision encoder's input tensor. The core decides which
// formats it decodes itself (core.imageFormat: bit-identical to the native
// indexer); the others (WebP, AVIF, HEIC where the browser can) are decoded
// by the browser, which applies EXIF orientation, and enter the core's RGBA
// path.

import { UserError, coreRefusal } from './errors.js';

async function browserDecode(bytes, mime, format, maxPixels) {
  const what = mime || format;
  if (typeof createImageBitmap === 'undefined' || typeof OffscreenCanvas === 'undefined') {
    throw new UserError('decode', 'This image format needs the browser to decode it, and this browser cannot do that in a worker. Use JPEG or PNG.');
  }
  let bitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes], { type: mime || '' }), { imageOrientation: 'from-image' });
  } catch {
    throw new UserError('decode', `Could not read this image${what !== 'unknown' ? ` (${what})` : ''}: it is not a format this browser can decode.`);
  }
  const { width, height } = bitmap;
  if (maxPixels && width * height > maxPixels) {
    bitmap.close();
    throw new UserError('decode', `This image is ${width}×${height} pixels, more than the ${maxPixels} the model input path allows.`);
  }
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  return { rgba: ctx.getImageData(0, 0, width, height).data, width, height };
}

// Returns {tensor, sha256} where sha256 is of the file's bytes.
export async function imageToTensor(core, bytes, mime, cfg) {
  const { format, decodable } = core.imageFormat(bytes);
  if (decodable) {
    const r = coreRefusal('decode', (why) => `Could not read this image: ${why}`, () => core.preprocessImage(bytes, cfg));
    return { tensor: r.tensor, sha256: r.sha256 };
  }
  const { rgba, width, height } = await browserDecode(bytes, mime, format, cfg.maxPixels);
  const r = coreRefusal('decode', (why) => `Could not prepare this image: ${why}`,
    () => core.preprocessRgba(rgba, width, height, cfg));
  return { tensor: r.tensor, sha256: core.sha256Hex(bytes) };
}
