#!/usr/bin/python3
"""`clipsearch index` reads a folder, a CSV, a JSONL or a headerless TSV of
URLs; broken inputs are skipped, listed in report.jsonl, and the run still
succeeds (unless --strict); progress is a bar on a terminal, lines otherwise."""
import json
import os
import pty
import subprocess
import unittest

from clitest import BIN, CliTestCase, HttpServer, tool_env, write_photo


class FolderInput(CliTestCase):
    def setUp(self):
        super().setUp()
        self.photos = self.path("photos")
        write_photo(self.path("photos", "red_sports-car.jpg"), seed=1, fmt="JPEG")
        write_photo(self.path("photos", "beach.png"), seed=2)
        write_photo(self.path("photos", "trips", "snowy_mountain.png"), size=(200, 400), seed=3)
        write_photo(self.path("photos", "trips", "gray.png"), seed=4, mode="L")
        write_photo(self.path("photos", "trips", "rotated.jpg"), seed=5, fmt="JPEG", exif_orientation=6)
        write_photo(self.path("photos", ".cache", "skipped.png"), seed=6)     # hidden folder
        write_photo(self.path("photos", ".hidden.png"), seed=7)               # hidden file
        with open(self.path("photos", "notes.txt"), "w") as f:                # not an image
            f.write("hello")
        with open(self.path("photos", "red_sports-car.jpg"), "rb") as f:
            head = f.read(200)
        with open(self.path("photos", "trips", "truncated.jpg"), "wb") as f:  # broken image
            f.write(head)
        os.symlink("..", self.path("photos", "trips", "loop"))               # a symlink loop

    def test_folder_walk(self):
        out = self.path("index")
        err = self.index("--input", self.photos, "--out", out).stderr
        self.assertIn("5 embedded", err)
        self.assertIn("1 skipped", err)
        self.assertIn("2 hidden and 1 non-image files passed over", err)
        # ids are paths inside the folder; captions come from the file name.
        hits = {h["id"]: h for h in self.search(out, "--text", "car", "-k", "10")}
        self.assertEqual(sorted(hits), ["beach.png", "red_sports-car.jpg", "trips/gray.png", "trips/rotated.jpg",
                                        "trips/snowy_mountain.png"])
        self.assertEqual(hits["red_sports-car.jpg"]["caption"], "red sports car")
        self.assertEqual(hits["trips/snowy_mountain.png"]["source"], os.path.join(self.photos, "trips/snowy_mountain.png"))
        # the broken file is reported with its reason
        (entry,) = self.report(out)
        self.assertEqual(entry["id"], "trips/truncated.jpg")
        self.assertTrue(entry["reason"])
        # thumbnails: longest side 256, EXIF orientation applied (300x400 portrait from a rotated 320x240)
        from PIL import Image
        with Image.open(os.path.join(out, hits["trips/rotated.jpg"]["thumb"])) as thumb:
            self.assertEqual(thumb.format, "JPEG")
            self.assertEqual(thumb.size, (192, 256))
        self.cli("verify", out)

    def test_strict_makes_a_skip_an_error(self):
        p, reason = self.cli_fails("index", "--device", "cpu", "--input", self.photos, "--out", self.path("i"),
                                   "--strict")
        self.assertIn("1 input(s) skipped", reason)

    def test_an_empty_folder_is_an_error(self):
        os.makedirs(self.path("empty"))
        self.cli_fails("index", "--device", "cpu", "--input", self.path("empty"), "--out", self.path("i"),
                       contains="no images found")

    def test_relative_sources_are_relative_to_the_index(self):
        out = self.path("index")
        self.index("--input", self.photos, "--out", out, "--relative-sources", "--no-thumbs")
        hit = self.search(out, "--id", "beach.png", "-k", "1")[0]
        self.assertEqual(hit["source"], "../photos/beach.png")
        self.assertEqual(hit["thumb"], "")
        self.assertFalse(os.path.exists(os.path.join(out, "thumbs")))


class TableInputs(CliTestCase):
    def test_csv_with_header_quotes_and_relative_paths(self):
        write_photo(self.path("data", "img", "a.png"), seed=1)
        write_photo(self.path("data", "img", "b.png"), seed=2)
        write_photo(self.path("data", "img", "c.png"), seed=3)
        with open(self.path("data", "list.csv"), "w") as f:
            f.write('id,image_path,title\n'
                    'first,img/a.png,"a caption, with a comma"\n'
                    'second,img/b.png,"she said ""hi"""\n'
                    ',img/c.png,no id: the source is the id\n'
                    'fourth,,row without an image\n'
                    'fifth,img/missing.png,file not there\n'
                    'first,img/b.png,duplicate id\n')
        out = self.path("index")
        # Run from another folder: paths resolve against the CSV's folder.
        self.index("--input", self.path("data", "list.csv"), "--out", out)
        hits = {h["id"]: h for h in self.search(out, "--text", "x", "-k", "10")}
        self.assertEqual(sorted(hits), ["first", "img/c.png", "second"])
        self.assertEqual(hits["first"]["caption"], "a caption, with a comma")
        self.assertEqual(hits["second"]["caption"], 'she said "hi"')
        self.assertEqual(hits["first"]["source"], "img/a.png")  # as given
        reasons = {r["id"]: r["reason"] for r in self.report(out)}
        self.assertEqual(sorted(reasons), ["fifth", "first", "fourth"])
        self.assertIn("duplicate id", reasons["first"])
        self.assertIn("missing.png", reasons["fifth"])

    def test_jsonl_of_demo_data(self):
        captions = self.demo_images(self.path("demo"), 12)
        with open(self.path("demo", "captions.jsonl"), "a") as f:
            f.write("this line is not JSON\n")
            f.write('{"caption": "no image key"}\n')
        out = self.path("index")
        self.index("--input", self.path("demo", "captions.jsonl"), "--out", out)
        hits = self.search(out, "--text", "a red circle", "-k", "100")
        self.assertEqual(sorted(h["id"] for h in hits), sorted(c["path"] for c in captions))
        by_id = {h["id"]: h for h in hits}
        for c in captions:
            self.assertEqual(by_id[c["path"]]["caption"], c["caption"])
        self.assertEqual([r["origin"] for r in self.report(out)], ["captions.jsonl:13", "captions.jsonl:14"])

    def test_headerless_tsv_of_urls(self):
        # Conceptual Captions layout: caption<TAB>url, no header, served over loopback HTTP.
        served = self.path("served")
        for i in range(3):
            write_photo(os.path.join(served, "p%d.jpg" % i), seed=10 + i, fmt="JPEG")
        with open(os.path.join(served, "page.html"), "w") as f:
            f.write("<html>not an image</html>")
        server = HttpServer(served)
        self.addCleanup(server.close)
        rows = [("a photo", server.url("p0.jpg")), ("another photo", server.url("p1.jpg")),
                ("moved", server.url("redirect/p2.jpg")), ("gone", server.url("status/404/p9.jpg")),
                ("html", server.url("page.html")), ("refused", "http://127.0.0.1:1/x.jpg")]
        with open(self.path("cc.tsv"), "w") as f:
            f.writelines("%s\t%s\n" % r for r in rows)
        out = self.path("index")
        # Without --columns a headerless file is refused, saying what to do.
        self.cli_fails("index", "--device", "cpu", "--input", self.path("cc.tsv"), "--out", out,
                       contains="--columns")
        err = self.index("--input", self.path("cc.tsv"), "--out", out, "--columns", "caption,url").stderr
        self.assertIn("3 embedded", err)
        hits = {h["caption"]: h for h in self.search(out, "--text", "photo", "-k", "10")}
        self.assertEqual(sorted(hits), ["a photo", "another photo", "moved"])
        self.assertEqual(hits["a photo"]["source"], server.url("p0.jpg"))  # the id and source are the URL
        self.assertEqual(hits["a photo"]["id"], server.url("p0.jpg"))
        reasons = {r["source"]: r["reason"] for r in self.report(out)}
        self.assertEqual(len(reasons), 3)
        self.assertIn("404", reasons[server.url("status/404/p9.jpg")])
        self.assertIn("not an image", reasons[server.url("page.html")])


class OutputFolderRules(CliTestCase):
    def setUp(self):
        super().setUp()
        write_photo(self.path("in", "a.png"), seed=1)
        self.out = self.path("index")

    def test_a_finished_index_is_refused_without_append_or_force(self):
        self.index("--input", self.path("in"), "--out", self.out)
        self.cli_fails("index", "--device", "cpu", "--input", self.path("in"), "--out", self.out,
                       contains="--append")
        write_photo(self.path("in", "b.png"), seed=2)
        self.index("--input", self.path("in"), "--out", self.out, "--force")
        self.assertEqual(sorted(self.all_ids(self.out)), ["a.png", "b.png"])

    def test_a_folder_with_other_files_is_refused(self):
        os.makedirs(self.out)
        with open(os.path.join(self.out, "thesis.tex"), "w") as f:
            f.write("precious")
        self.cli_fails("index", "--device", "cpu", "--input", self.path("in"), "--out", self.out,
                       contains="not empty")

    def test_progress_is_a_bar_on_a_terminal_and_plain_lines_otherwise(self):
        master, terminal = pty.openpty()
        cmd = [BIN, "index", "--device", "cpu", "--input", self.path("in"), "--out", self.out]
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=terminal, env=tool_env())
        os.close(terminal)
        shown = b""
        while True:  # read while it runs, so a full terminal buffer cannot block it
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the tool exited and closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        os.close(master)
        self.assertEqual(p.wait(timeout=300), 0)
        bar = shown.decode()
        self.assertIn("\r", bar)  # redrawn in place
        self.assertRegex(bar, r"\[#+\] 1/1 100% [0-9.]+ img/s took")
        plain = self.index("--input", self.path("in"), "--out", self.path("again")).stderr
        self.assertNotIn("\r", plain)
        self.assertRegex(plain, r"1/1 \(100%\) [0-9.]+ img/s, took")

    def test_stats_json(self):
        stats = self.path("stats.json")
        self.index("--input", self.path("in"), "--out", self.out, "--stats-json", stats)
        with open(stats) as f:
            s = json.load(f)
        self.assertEqual(s["embedded"], 1)
        self.assertEqual(s["device"], "cpu")
        self.assertEqual(set(s["stages"]), {"read", "decode", "preprocess", "thumbnail", "encode", "write"})
        self.assertAlmostEqual(sum(v["share"] for v in s["stages"].values()), 1.0, places=3)


if __name__ == "__main__":
    unittest.main()
