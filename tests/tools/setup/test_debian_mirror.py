"""tools/debian_mirror.sh: the Debian archive setup.sh fetches the trixie
ONNX Runtime headers from is the one this machine's apt already uses, read
from one-line and deb822 sources in a fixture root. Hosts here are under
.invalid (RFC 2606): none is ever contacted."""
import os
import re
import subprocess
import tempfile
import unittest

SOURCE_DIR = os.environ.get("CLIPSEARCH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "../../.."))
SCRIPT = os.path.join(SOURCE_DIR, "tools/debian_mirror.sh")


class DebianMirror(unittest.TestCase):
    def root(self, files, codename="bookworm"):
        """A fixture root holding etc/os-release and the given etc/apt files."""
        root = tempfile.mkdtemp(prefix="clipsearch-apt-")
        self.addCleanup(subprocess.run, ["rm", "-rf", root])
        os.makedirs(os.path.join(root, "etc/apt/sources.list.d"))
        with open(os.path.join(root, "etc/os-release"), "w") as f:
            f.write(f'NAME="Debian GNU/Linux"\nVERSION_CODENAME={codename}\n' if codename else 'NAME="Debian"\n')
        for rel, text in files.items():
            with open(os.path.join(root, "etc/apt", rel), "w") as f:
                f.write(text)
        return root

    def mirror(self, files, **kw):
        r = subprocess.run(["bash", SCRIPT, self.root(files, **kw)], capture_output=True, text=True)
        return r.returncode, r.stdout.strip(), r.stderr.strip()

    def test_one_line_sources_with_options(self):
        rc, out, _ = self.mirror({"sources.list": (
            "# deb http://commented.invalid/debian bookworm main\n"
            "deb-src http://src.invalid/debian bookworm main\n"
            "deb http://security.invalid/debian-security bookworm-security main\n"
            "deb [arch=amd64 signed-by=/etc/apt/keyrings/local.gpg] http://apt-mirror.invalid/debian bookworm main contrib\n")})
        self.assertEqual((rc, out), (0, "http://apt-mirror.invalid/debian /etc/apt/keyrings/local.gpg"))

    def test_deb822_sources_in_the_parts_folder(self):
        rc, out, _ = self.mirror({"sources.list.d/debian.sources": (
            "Types: deb deb-src\n"
            "URIs: http://cache.invalid:3142/debian\n"
            "Suites: bookworm bookworm-updates\n"
            "Components: main non-free-firmware\n"
            "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
            "\n"
            "Types: deb\n"
            "URIs: http://cache.invalid:3142/debian-security\n"
            "Suites: bookworm-security\n"
            "Components: main\n")})
        self.assertEqual((rc, out), (0, "http://cache.invalid:3142/debian /usr/share/keyrings/debian-archive-keyring.gpg"))

    def test_disabled_stanzas_and_inline_keys(self):
        rc, out, _ = self.mirror({"sources.list.d/a.sources": (
            "Enabled: no\n"
            "Types: deb\n"
            "URIs: http://off.invalid/debian\n"
            "Suites: bookworm\n"
            "Components: main\n"
            "\n"
            "Types: deb\n"
            "URIs: http://on.invalid/debian\n"
            "Suites: bookworm\n"
            "Components: main\n"
            "Signed-By:\n"
            " -----BEGIN PGP PUBLIC KEY BLOCK-----\n"
            " .\n"
            " mQINBGPL0BUBEADmW5NdOOHwPIJlgPu6JDcKw/NZJPR8lsD3K87ZM18gzyQZJD+w\n"
            " -----END PGP PUBLIC KEY BLOCK-----\n")})
        # An inline key is no keyring file: setup.sh falls back to Debian's.
        self.assertEqual((rc, out), (0, "http://on.invalid/debian"))

    def test_the_release_suite_wins_over_backports_and_others(self):
        files = {"sources.list": (
            "deb http://bp.invalid/debian bookworm-backports main\n"
            "deb http://updates.invalid/debian bookworm-updates main\n"
            "deb http://main.invalid/debian bookworm main\n")}
        self.assertEqual(self.mirror(files)[1], "http://main.invalid/debian")
        # Without a codename: the first entry that is not security or backports.
        self.assertEqual(self.mirror(files, codename="")[1], "http://updates.invalid/debian")

    def test_no_debian_entry_is_an_error_naming_where_it_looked(self):
        rc, out, err = self.mirror({"sources.list.d/node.list": "deb http://other.invalid/node nodistro main\n",
                                    "sources.list": "deb http://x.invalid/debian bookworm contrib\n"})
        self.assertEqual((rc, out), (1, ""))
        self.assertRegex(err, r"no Debian archive entry \(deb \.\.\. bookworm main\) in .*/etc/apt/sources\.list")

    def test_this_machine(self):
        # Whatever this machine uses, setup.sh itself names no host.
        with open(os.path.join(SOURCE_DIR, "tools/setup.sh")) as f:
            self.assertIsNone(re.search(r"\b(https?|ftp)://", f.read()))


if __name__ == "__main__":
    unittest.main()
