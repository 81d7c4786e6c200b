// Times text queries on the graphs bench/fused_graph_cost.py exported:
//   node bench/fused_graph_cost.cjs DIR RUNS
// Last line: one JSON object (medians in ms, ratios to the text-only graph).
"use strict";
const path = require("path");
const ort = require("onnxruntime-node");

async function median(runs, fn) {
  for (let i = 0; i < 5; ++i) await fn();  // warm-up
  const ms = [];
  for (let i = 0; i < runs; ++i) {
    const t0 = process.hrtime.bigint();
    await fn();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return ms[Math.floor(ms.length / 2)];
}

async function main() {
  const [dir, runsArg] = process.argv.slice(2);
  const runs = Number(runsArg || 200);
  const opts = { executionProviders: ["cpu"], intraOpNumThreads: 1 };
  const fused = await ort.InferenceSession.create(path.join(dir, "fused.onnx"), opts);
  const text = await ort.InferenceSession.create(path.join(dir, "text.onnx"), opts);
  const ids = new ort.Tensor("int64", BigInt64Array.from([49406n, 320n, 736n, 7117n, 49407n]), [1, 5]);
  const minimalImage = new ort.Tensor("float32", new Float32Array(3 * 224 * 224), [1, 3, 224, 224]);
  const textOnly = await median(runs, () => text.run({ input_ids: ids }));
  const fusedTextFetch = await median(runs, () => fused.run({ input_ids: ids, pixel_values: minimalImage }, ["text_embeds"]));
  const fusedBoth = await median(runs, () => fused.run({ input_ids: ids, pixel_values: minimalImage }));
  let refused = "";
  try {
    await fused.run({ input_ids: ids }, ["text_embeds"]);
  } catch (e) {
    refused = e.message.split("\n")[0];
  }
  console.log(JSON.stringify({
    runs, text_only_ms: textOnly, fused_text_fetch_ms: fusedTextFetch, fused_both_fetch_ms: fusedBoth,
    fused_text_fetch_ratio: fusedTextFetch / textOnly, fused_both_fetch_ratio: fusedBoth / textOnly,
    fused_without_image_input: refused || "accepted",
  }));
}

main().catch((e) => { console.error("fused_graph_cost: " + e.message); process.exit(1); });
