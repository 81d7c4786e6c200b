// Prints the rows of one Parquet file as JSON lines, in file order: what
// `clipsearch index --metadata` reads from a clip-retrieval output folder
// (metadata/metadata_*.parquet). Decoding is hyparquet's (npm, pinned in
// package.json): Parquet is not decoded by hand anywhere in this project.
//   node parquet_rows.mjs FILE.parquet [COLUMN ...]   (only the named columns that exist)
// The first line is {"columns": [...], "rows": N}; 64-bit integers are
// written as decimal strings.
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';

const [file, ...wanted] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node parquet_rows.mjs FILE.parquet [COLUMN ...]\n');
  process.exit(2);
}

function fail(message) {
  process.stderr.write(`${file}: ${message}\n`);
  process.exit(1);
}

let buffer, metadata;
try {
  buffer = await asyncBufferFromFile(file);
  metadata = await parquetMetadataAsync(buffer);
} catch (e) {
  fail(`not a readable Parquet file (${e.message})`);
}
const present = parquetSchema(metadata).children.map((c) => c.element.name);
const columns = wanted.length ? wanted.filter((c) => present.includes(c)) : present;
const rows = Number(metadata.num_rows);
const out = [JSON.stringify({ columns: present, rows })];
if (columns.length && rows > 0) {
  let objects;
  try {
    objects = await parquetReadObjects({ file: buffer, metadata, columns });
  } catch (e) {
    fail(`cannot decode its rows (${e.message})`);
  }
  const plain = (_, v) => (typeof v === 'bigint' ? v.toString() : v);
  for (const o of objects) out.push(JSON.stringify(o, plain));
} else {
  for (let i = 0; i < rows; ++i) out.push('{}');
}
process.stdout.write(out.join('\n') + '\n');
