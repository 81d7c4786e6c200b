// Writes the tokenizer loader fixtures in tests/data/text/: the first N merges
// of models/clip-bpe/bpe_simple_vocab_16e6.txt in each file format the core
// reads, with the vocab laid out as OpenAI's encoder lays it out, so that all
// formats must give the same ids.
//
//   node tests/tools/make_tokenizer_fixtures.mjs [--merges N] [--out DIR]
//
// Defaults: 2000 merges into tests/data/text (small_* files). With
// --merges 48894 the files are the full CLIP tokenizer (about 5 MB; used once
// to check the loaders against the golden ids, not committed).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const mergeCount = Number(arg("--merges", "2000"));
const outDir = arg("--out", join(root, "tests/data/text"));

const lines = readFileSync(join(root, "models/clip-bpe/bpe_simple_vocab_16e6.txt"), "utf8").split("\n");
const header = lines[0];
const merges = lines.slice(1, 1 + mergeCount);
if (merges.length !== mergeCount || merges.some((m) => m.split(" ").length !== 2)) {
  throw new Error(`need ${mergeCount} well-formed merges`);
}

// GPT-2's bytes_to_unicode: printable Latin-1 bytes stand for themselves, the
// others map in byte order to U+0100 onwards. The vocab lists them by code point.
const printable = (b) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
const byteChars = [];
let next = 256;
for (let b = 0; b < 256; b++) byteChars.push(printable(b) ? b : next++);
byteChars.sort((a, b) => a - b);
const symbols = byteChars.map((cp) => String.fromCodePoint(cp));
const tokens = [...symbols, ...symbols.map((s) => s + "</w>"), ...merges.map((m) => m.replace(" ", ""))];
tokens.push("<|startoftext|>", "<|endoftext|>");
const vocab = Object.fromEntries(tokens.map((t, id) => [t, id]));
const startId = tokens.length - 2;
const endId = tokens.length - 1;

// The parts of Hugging Face's CLIP tokenizer.json that describe the pipeline,
// for realism; the core reads model and added_tokens only.
const special = (id, content) => ({
  id, content, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true,
});
const tokenizerJson = (mergeList) => ({
  version: "1.0",
  truncation: null,
  padding: null,
  added_tokens: [special(startId, "<|startoftext|>"), special(endId, "<|endoftext|>")],
  normalizer: {
    type: "Sequence",
    normalizers: [
      { type: "NFC" },
      { type: "Replace", pattern: { Regex: "\\s+" }, content: " " },
      { type: "Lowercase" },
    ],
  },
  pre_tokenizer: {
    type: "Sequence",
    pretokenizers: [
      {
        type: "Split",
        pattern: {
          Regex: "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
        },
        behavior: "Removed",
        invert: true,
      },
      { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false },
    ],
  },
  post_processor: {
    type: "RobertaProcessing",
    sep: ["<|endoftext|>", endId],
    cls: ["<|startoftext|>", startId],
    trim_offsets: false,
    add_prefix_space: false,
  },
  decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
  model: {
    type: "BPE",
    dropout: null,
    unk_token: "<|endoftext|>",
    continuing_subword_prefix: "",
    end_of_word_suffix: "</w>",
    fuse_unk: false,
    byte_fallback: false,
    vocab,
    merges: mergeList,
  },
});

mkdirSync(outDir, { recursive: true });
const prefix = mergeCount === 48894 ? "full_" : "small_";
const write = (name, text) => {
  writeFileSync(join(outDir, prefix + name), text);
  console.error(`wrote ${join(outDir, prefix + name)}`);
};
// HF's merges.txt and OpenAI's bpe_simple_vocab have the same layout: one
// file serves both loaders.
write("merges.txt", [header, ...merges].join("\n") + "\n");
write("vocab.json", JSON.stringify(vocab));
// tokenizers < 0.20 wrote merges as "a b" strings, later versions as pairs.
write("tokenizer.json", JSON.stringify(tokenizerJson(merges)));
write("tokenizer_pairs.json", JSON.stringify(tokenizerJson(merges.map((m) => m.split(" ")))));
