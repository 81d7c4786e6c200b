// One ONNX encoder session (a text tower or the vision tower). Whether the
// graph fits model.json, and the exact ids tensor a text becomes, are the
// core's calls (ModelSpec: checkModelGraph, textFeeds), the same the CLI
// makes: no name is guessed here and no "first output" is taken.

import { coreRefusal } from './errors.js';

// float16 bits <-> float32 (for graphs whose inputs or outputs stay half precision).
function halfToFloat(h) {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function floatToHalf(x) {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const e = ((b >>> 23) & 0xff) - 127 + 15;
  const m = b & 0x7fffff;
  if (e >= 31) return sign | 0x7c00 | (((b >>> 23) & 0xff) === 0xff && m ? 0x200 : 0);
  if (e <= 0) return e < -10 ? sign : sign | ((m | 0x800000) >> (14 - e));
  const half = sign | (e << 10) | (m >> 13);
  return half + ((m & 0x1fff) > 0x1000 || ((m & 0x1fff) === 0x1000 && (half & 1)) ? 1 : 0);
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

// What ORT Web reports for a session, in the form the core's check reads.
export function graphSignature(session) {
  const ports = (list) => list.map((m) => ({ name: m.name, type: m.isTensor ? m.type : 'other', shape: m.isTensor ? [...m.shape] : [] }));
  return { inputs: ports(session.inputMetadata), outputs: ports(session.outputMetadata) };
}

export class Encoder {
  // `which`: 'vision', 'text' (the primary tower) or 'text:LANG';
  // `spec`: its {inputNames, outputName} from the manifest. `file`: the path
  // model.json gives, for messages. `optimization`: ORT's
  // graphOptimizationLevel ('all' or 'basic').
  static async create(ort, bytes, executionProvider, { core, model, which, spec, file, optimization = 'all' }) {
    const session = await ort.InferenceSession.create(bytes, {
      executionProviders: [executionProvider],
      graphOptimizationLevel: optimization,
    });
    const signature = graphSignature(session);
    try {
      coreRefusal('model-mismatch', (why) => `Model ${model.manifest.name} does not match its model.json: ${why}`,
        () => core.checkModelGraph(model.json, which, signature, file));
    } catch (err) {
      await session.release?.();
      throw err;
    }
    return new Encoder(ort, session, signature, { core, model, which, spec });
  }

  constructor(ort, session, signature, { core, model, which, spec }) {
    this.ort = ort;
    this.session = session;
    this.signature = signature;
    this.core = core;
    this.model = model;
    this.which = which;
    this.output = spec.outputName;  // checked against the graph above
  }

  async run(feeds) {
    const out = await this.session.run(feeds, [this.output]);
    const embedding = toFloat32(out[this.output]);
    for (const t of Object.values(out)) t.dispose?.();
    return embedding;
  }

  // ids: token ids with start and end tokens (Int32Array). The core lays
  // them out as the tower's contract says (fixed length: padded; a mask
  // when the graph takes one).
  embedText(ids) {
    const { Tensor } = this.ort;
    const feeds = {};
    for (const f of this.core.textFeeds(this.model.json, this.which, ids, this.signature)) {
      const data = f.type === 'int32' ? Int32Array.from(f.data) : BigInt64Array.from(f.data, BigInt);
      feeds[f.name] = new Tensor(f.type, data, f.shape);
    }
    return this.run(feeds);
  }

  // pixels: float32 NCHW [3, size, size], already normalised.
  embedImage(pixels, size) {
    const { Tensor } = this.ort;
    const input = this.signature.inputs[0];  // the one input, named as model.json says (checked)
    const shape = [1, 3, size, size];
    const tensor = input.type === 'float16'
      ? new Tensor('float16', Uint16Array.from(pixels, floatToHalf), shape)
      : new Tensor('float32', pixels, shape);
    return this.run({ [input.name]: tensor });
  }

  release() {
    return this.session.release?.();
  }
}
