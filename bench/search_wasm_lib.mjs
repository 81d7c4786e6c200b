// The WebAssembly search benchmark, shared by Node.js and Chromium
// (bench/search_wasm.mjs drives it in either): loads a data set written by
// clipsearch_bench_search_data into the wasm Index and times single-query
// search, int8 and with the sign-bit first pass, against a plain JavaScript
// Float32Array loop over the same vectors, in the same run. The native
// figures come from the tool that wrote the data set, over the same shards.

// A query's top k by the JavaScript a page would otherwise carry: one dot
// product per vector, the best k kept sorted by insertion.
export function jsTopK(vectors, n, dim, q, k) {
  const scores = new Float32Array(k).fill(-Infinity);
  const rows = new Int32Array(k).fill(-1);
  for (let r = 0, off = 0; r < n; r++, off += dim) {
    let dot = 0;
    for (let i = 0; i < dim; i++) dot += q[i] * vectors[off + i];
    if (dot <= scores[k - 1]) continue;
    let at = k - 1;
    for (; at > 0 && scores[at - 1] < dot; at--) {
      scores[at] = scores[at - 1];
      rows[at] = rows[at - 1];
    }
    scores[at] = dot;
    rows[at] = r;
  }
  return Array.from(rows);
}

function recallAt(truth, found) {
  let sum = 0;
  for (const [q, rows] of found) {
    const want = new Set(truth[q]);
    sum += rows.filter((r) => want.has(r)).length / want.size;
  }
  return found.size ? sum / found.size : -1;
}

function median(values) {
  const v = [...values].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

// Runs answer(q) over the queries in turn, at least minRuns times and for at
// least `seconds` of wall time; the median per-call time by `clock` and the
// recall of what it found.
function measure(answer, { nq, truth, minRuns, seconds, clock }) {
  const times = [];
  const found = new Map();
  const start = performance.now();
  for (let i = 0; times.length < minRuns || performance.now() - start < seconds * 1e3; i++) {
    const q = i % nq;
    const t0 = clock();
    const rows = answer(q);
    times.push(clock() - t0);
    if (!found.has(q)) found.set(q, rows);
  }
  return { msPerQuery: median(times), runs: times.length, recall: recallAt(truth, found) };
}

// Loads a data set and returns { info, run(method, { seconds, clock }) }
// with methods 'js', 'int8' and 'binary'. fetchBytes(name) -> Uint8Array of
// a file in the data set folder; clock() -> milliseconds.
export async function prepareSearchBench({ core, fetchBytes, log = () => {} }) {
  const data = JSON.parse(new TextDecoder().decode(await fetchBytes('data.json')));
  const { n, dim, k, shardRows, truth } = data;
  // The core Index over the shards: the data set's manifest.json (written by
  // clipsearch_bench_search_data), checked shard by shard as the page does.
  const index = core.Index.fromManifest(new TextDecoder().decode(await fetchBytes('manifest.json')));
  for (const [entry, name] of data.shards.entries()) {
    const bytes = await fetchBytes(name);
    index.addShard(entry, bytes, core.sha256Hex(bytes));
  }
  const floats = async (name) => {
    const b = await fetchBytes(name);
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));  // aligned copy
  };
  const vectors = new Float32Array(n * dim);
  let filled = 0;
  for (const name of data.vectors) {
    const part = await floats(name);
    vectors.set(part, filled);
    filled += part.length;
  }
  if (filled !== n * dim) throw new Error(`data set has ${filled / dim} vectors, data.json says ${n}`);
  const queries = await floats(data.queries);
  const nq = queries.length / dim;
  const query = (q) => queries.subarray(q * dim, (q + 1) * dim);
  log(`loaded ${n} vectors in ${data.shards.length} shards`);

  const wasmRows = (opts) => (q) => {
    const hits = index.search(query(q), { k, ...opts });
    return hits.map((h) => h.shard * shardRows + h.row);
  };
  const methods = {
    js: { answer: (q) => jsTopK(vectors, n, dim, query(q), k), minRuns: 3 },
    int8: { answer: wasmRows({ binary: false }), minRuns: nq },
    binary: { answer: wasmRows({ binary: true }), minRuns: nq },
  };
  return {
    info: { n, dim, kernel: core.kernelName(), native: data.native },
    run: (name, { seconds = 1, clock = () => performance.now() } = {}) =>
      measure(methods[name].answer, { nq, truth, seconds, clock, minRuns: methods[name].minRuns }),
  };
}
