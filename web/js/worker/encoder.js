// One ONNX encoder session (text or vision). Input and output names come
// from the session and the model manifest, never assumed.

// float16 bits -> float32 (for fp16 graphs whose outputs stay half precision).
function halfToFloat(h) {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function toFloat32(tensor) {
  if (tensor.type === 'float32') return Float32Array.from(tensor.data);
  if (tensor.type === 'float16') {
    const d = tensor.data;
    if (d instanceof Uint16Array) return Float32Array.from(d, halfToFloat);
    return Float32Array.from(d);  // Float16Array where the browser has one
  }
  throw new Error(`encoder output is ${tensor.type}, expected float32 or float16`);
}

export class Encoder {
  // `spec` = {inputNames, outputName} from the model manifest.
  static async create(ort, bytes, executionProvider, spec) {
    const session = await ort.InferenceSession.create(bytes, {
      executionProviders: [executionProvider],
      graphOptimizationLevel: 'all',
    });
    return new Encoder(ort, session, spec);
  }

  constructor(ort, session, spec) {
    this.ort = ort;
    this.session = session;
    const outs = session.outputNames;
    this.output = outs.includes(spec.outputName) ? spec.outputName : outs.find((n) => /embed/i.test(n)) || outs[0];
  }

  inputName(pattern) {
    const names = this.session.inputNames;
    return names.find((n) => pattern.test(n)) || names[0];
  }

  async run(feeds) {
    const out = await this.session.run(feeds, [this.output]);
    const embedding = toFloat32(out[this.output]);
    for (const t of Object.values(out)) t.dispose?.();
    return embedding;
  }

  // ids: token ids with start and end tokens (Int32Array).
  embedText(ids) {
    const { Tensor } = this.ort;
    const shape = [1, ids.length];
    const feeds = { [this.inputName(/input_ids/)]: new Tensor('int64', BigInt64Array.from(ids, BigInt), shape) };
    const mask = this.session.inputNames.find((n) => /attention_mask/.test(n));
    if (mask) feeds[mask] = new Tensor('int64', new BigInt64Array(ids.length).fill(1n), shape);
    return this.run(feeds);
  }

  // pixels: float32 NCHW [3, size, size], already normalised.
  embedImage(pixels, size) {
    const { Tensor } = this.ort;
    return this.run({ [this.inputName(/pixel_values/)]: new Tensor('float32', pixels, [1, 3, size, size]) });
  }
}
