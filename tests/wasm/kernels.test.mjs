// The search kernels under WebAssembly: the wasm build of kernel_check (CommonJS, .cjs) runs
// the SIMD128 kernels (single-query, Hamming, block) against the scalar
// reference inside wasm, and its digest of every result must equal the
// native build's, so wasm and native compute the same integers.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';

const wasmDir = process.env.CLIPSEARCH_WASM_DIR;
const nativeCheck = process.env.CLIPSEARCH_KERNEL_CHECK;

function run(command, args) {
  return execFileSync(command, args, { encoding: 'utf8' });
}

function field(output, name) {
  const line = output.split('\n').find((l) => l.startsWith(`${name}:`));
  assert.ok(line, `no "${name}:" line in:\n${output}`);
  return line.slice(name.length + 1).trim();
}

test('wasm SIMD128 kernels equal the scalar ones, and native results', () => {
  const program = join(wasmDir, 'kernel_check.cjs');
  assert.ok(existsSync(program), `${program} not found: build target wasm`);
  const wasm = run(process.execPath, [program]);
  assert.match(wasm, /^0*[1-9]\d* passed, 0 failed$/m, wasm);
  assert.equal(field(wasm, 'kernels'), 'scalar wasm_simd128');

  const native = run(nativeCheck, []);
  assert.match(native, / passed, 0 failed$/m, native);
  assert.equal(field(wasm, 'digest'), field(native, 'digest'));
});
