// Runs the exported demo graphs in ONNX Runtime (onnxruntime-node, CPU) so
// train_demo.py can compare them with torch and score the held-out set with
// the embeddings a user's runtime computes.
//
//   node ort_embed.cjs MODEL_DIR REQUEST.json OUT_PREFIX [TEXT_GRAPH]
//
// TEXT_GRAPH: the text tower's file in MODEL_DIR (default text_model.onnx).
// REQUEST: {"texts": [[ids...], ...], "images_u8": "file" (N*224*224*3 RGB),
//           "image_count": N, "mean": [3], "std": [3]}
// Writes OUT_PREFIX.text.f32 (each text alone, unpadded),
// OUT_PREFIX.text_batched.f32 (all texts in one 0-padded batch) and
// OUT_PREFIX.image.f32, all float32 little-endian [rows, dim].
"use strict";
const fs = require("fs");
const path = require("path");
const ort = require("onnxruntime-node");

async function main() {
  const [modelDir, requestPath, outPrefix, textGraph = "text_model.onnx"] = process.argv.slice(2);
  if (!outPrefix) throw new Error("usage: node ort_embed.cjs MODEL_DIR REQUEST.json OUT_PREFIX");
  const req = JSON.parse(fs.readFileSync(requestPath, "utf8"));
  const opts = { executionProviders: ["cpu"], intraOpNumThreads: 2 };
  const text = await ort.InferenceSession.create(path.join(modelDir, textGraph), opts);
  const vision = await ort.InferenceSession.create(path.join(modelDir, "vision_model.onnx"), opts);
  console.error(`text: ${text.inputNames} -> ${text.outputNames}; vision: ${vision.inputNames} -> ${vision.outputNames}`);

  const texts = req.texts || [];
  const single = [];
  for (const ids of texts) {
    const t = new ort.Tensor("int64", BigInt64Array.from(ids.map(BigInt)), [1, ids.length]);
    single.push((await text.run({ input_ids: t })).text_embeds.data);
  }
  fs.writeFileSync(outPrefix + ".text.f32", concat(single));
  if (texts.length) {
    const len = Math.max(...texts.map((r) => r.length));
    const flat = new BigInt64Array(texts.length * len);  // zero = padding after the end token
    texts.forEach((r, i) => r.forEach((id, j) => { flat[i * len + j] = BigInt(id); }));
    const out = await text.run({ input_ids: new ort.Tensor("int64", flat, [texts.length, len]) });
    fs.writeFileSync(outPrefix + ".text_batched.f32", Buffer.from(out.text_embeds.data.buffer));
  }

  const n = req.image_count || 0, side = 224, plane = side * side, batch = 50;
  const u8 = n ? fs.readFileSync(req.images_u8) : null;
  const images = [];
  for (let b0 = 0; b0 < n; b0 += batch) {
    const b = Math.min(batch, n - b0);
    const px = new Float32Array(b * 3 * plane);
    for (let i = 0; i < b; ++i)
      for (let p = 0; p < plane; ++p)
        for (let c = 0; c < 3; ++c)
          px[(i * 3 + c) * plane + p] = (u8[((b0 + i) * plane + p) * 3 + c] / 255 - req.mean[c]) / req.std[c];
    const out = await vision.run({ pixel_values: new ort.Tensor("float32", px, [b, 3, side, side]) });
    images.push(out.image_embeds.data);
  }
  fs.writeFileSync(outPrefix + ".image.f32", concat(images));
}

function concat(arrays) {
  const total = arrays.reduce((s, a) => s + a.length, 0);
  const out = new Float32Array(total);
  let o = 0;
  for (const a of arrays) { out.set(a, o); o += a.length; }
  return Buffer.from(out.buffer);
}

main().catch((e) => { console.error("ort_embed: " + e.message); process.exit(1); });
