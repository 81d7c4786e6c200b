// Emscripten 3.1.6 emits CommonJS names (require, __dirname) on its Node.js
// path even in an ES module build; define them there. Browsers skip this.
const isNode = typeof process == 'object' && typeof process.versions == 'object' &&
               typeof process.versions.node == 'string';
const require = isNode ? (await import('module')).createRequire(import.meta.url) : undefined;
const __dirname = isNode ? require('path').dirname(require('url').fileURLToPath(import.meta.url)) : undefined;
