// The module's error convention (docs/WASM_API.md): a call that fails throws
// a ClipError carrying core's one-line message; a call that succeeds returns
// its value as it is. The bindings cannot throw themselves (the module is
// built without exceptions, and a JS throw through wasm frames would skip
// their destructors), so a failing binding returns a ClipError
// (clipwasm::js_error) and the wrapper below throws it once the wasm call
// has returned. Every Embind symbol is wrapped, so no binding can forget.
class ClipError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ClipError';
  }
}
Module['ClipError'] = ClipError;

var clipPublicBefore = new Set(Object.keys(Module));

function clipThrowing(fn) {
  var wrapped = function () {
    var r = fn.apply(this, arguments);
    if (r instanceof ClipError) throw r;
    return r;
  };
  // Embind's overload dispatchers look their table up on the installed
  // function (argCount, overloadTable, className): carry those over.
  Object.assign(wrapped, fn);
  return wrapped;
}

function clipWrapMethods(obj) {
  for (var name of Object.getOwnPropertyNames(obj)) {
    var d = Object.getOwnPropertyDescriptor(obj, name);
    if (name !== 'constructor' && typeof d.value === 'function') obj[name] = clipThrowing(d.value);
  }
}

// Embind class constructors' prototypes inherit its ClassHandle; free
// functions' are plain objects.
function clipIsClass(fn) {
  return fn.prototype && Object.getPrototypeOf(fn.prototype) !== Object.prototype;
}

// Runs after Embind registered everything and before createClipCore()
// resolves to the caller.
addOnPostRun(function () {
  for (var name of Object.keys(Module)) {
    var v = Module[name];
    if (clipPublicBefore.has(name) || typeof v !== 'function') continue;
    if (clipIsClass(v)) {
      clipWrapMethods(v);            // static: Tokenizer.fromBpeMerges, ...
      clipWrapMethods(v.prototype);  // methods: Index.search, ...
    } else {
      Module[name] = clipThrowing(v);
    }
  }
});
