// bench/page_scale.mjs end to end at a tiny size (seconds), so the
// benchmark keeps working: its synthetic index and lookup model are built,
// the page loads the index in tiers from a Range server (?tiers=on), and the
// last line is the JSON object BENCHMARKS.md quotes. The 1M figures come
// from the benchmark itself, not from here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { WEB_DIR, REPO, requireBuiltPage } from './harness.mjs';

requireBuiltPage();
const BENCH = process.env.CLIPSEARCH_BENCH_DIR || path.join(REPO, 'build/bench');

test('page_scale at 3,000 vectors prints its JSON line with sane figures', (t) => {
  if (!fs.existsSync(path.join(BENCH, 'clipsearch_bench_page_index'))) return t.skip('clipsearch_bench_page_index is not built');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'clipsearch-page-scale-'));
  try {
    const out = execFileSync(process.execPath, [path.join(REPO, 'bench/page_scale.mjs'), '--vectors', '3000', '--queries', '4',
      '--shard', '1500', '--tiers', 'on', '--json', '--web', WEB_DIR, '--bench', BENCH, '--work', work],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 300_000 });
    const r = JSON.parse(out.trim().split('\n').at(-1));
    console.log(`PAGE_SCALE ${JSON.stringify(r)}`);
    for (const key of ['vectors', 'index_rss_overhead_mb', 'downloaded_mb_before_first_result', 'first_result_ms', 'query_ms_median', 'recall_at_10']) {
      assert.ok(Number.isFinite(r[key]), `${key}: ${r[key]}`);
    }
    assert.equal(r.vectors, 3000);
    assert.equal(r.shards, 2);
    // Sign bits nominate k x 10 of 3,000 rows: a coarse first pass at this size.
    assert.ok(r.recall_at_10 >= 0.6, `recall ${r.recall_at_10}`);
    assert.ok(r.first_result_ms > 0 && r.first_complete_result_ms >= r.first_result_ms);
    assert.ok(r.requests_per_query > 0, 'tiered queries fetch rows by Range');
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});
