// On Node.js, 3.1.6 would fetch() the .wasm by file:// URL, which Node's fetch
// refuses: read it from beside this module instead, unless the caller did.
if (typeof __dirname == 'string' && !Module['wasmBinary'] && !Module['instantiateWasm']) {
  Module['wasmBinary'] = require('fs').readFileSync(__dirname + '/clipsearch_core.wasm');
}
