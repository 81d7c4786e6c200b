#!/usr/bin/env bash
# Prints the Debian archive this machine's apt already uses, as
# "URI KEYRING" (KEYRING empty when the entry names none), so setup.sh can
# fetch from the same mirror or proxy for another suite. Reads
# ROOT/etc/apt/sources.list, ROOT/etc/apt/sources.list.d/*.list (one-line
# format) and ROOT/etc/apt/sources.list.d/*.sources (deb822); ROOT is the
# first argument, "/" by default (tests pass a fixture folder). Names no host
# itself; exits 1 with a reason on stderr when no entry fits.
#
# The archive is the `deb` entry with component main for the release's own
# suite (bookworm); failing that, for its -updates suite; without a codename
# in os-release, for any Debian suite name. Security and backports suites
# live in other archives, and third-party repositories use other suites.
set -euo pipefail

root="${1:-/}"
etc="${root%/}/etc/apt"
codename=""
if [ -r "${root%/}/etc/os-release" ]; then
  codename="$(. "${root%/}/etc/os-release" && echo "${VERSION_CODENAME:-}")"
fi

# One line per (type, uri, suite, components, keyring), tab-separated.
entries() {
  local f
  for f in "$etc/sources.list" "$etc"/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    awk '
      { sub(/#.*/, "") }
      $1 != "deb" && $1 != "deb-src" { next }
      {
        type = $1; keyring = ""; i = 2
        if ($2 ~ /^\[/) {   # [opt=val ...] may span several fields
          opts = ""
          for (; i <= NF; i++) { opts = opts " " $i; if ($i ~ /\]$/) { i++; break } }
          if (match(opts, /signed-by=[^] ]+/)) keyring = substr(opts, RSTART + 10, RLENGTH - 10)
        }
        uri = $i; suite = $(i + 1); comps = ""
        for (j = i + 2; j <= NF; j++) comps = comps " " $j
        print type "\t" uri "\t" suite "\t" comps " \t" keyring
      }' "$f"
  done
  for f in "$etc"/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    # deb822: stanzas separated by blank lines; fields may hold several values.
    awk '
      function flush(   t, u, s, nt, nu, ns, a, b, c) {
        if (enabled != "no" && types != "") {
          nt = split(types, a, " "); nu = split(uris, b, " "); ns = split(suites, c, " ")
          for (t = 1; t <= nt; t++) for (u = 1; u <= nu; u++) for (s = 1; s <= ns; s++)
            print a[t] "\t" b[u] "\t" c[s] "\t " comps " \t" keyring
        }
        types = uris = suites = comps = keyring = enabled = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      {
        field = tolower($1); sub(/:$/, "", field); $1 = ""; value = $0; sub(/^[ \t]+/, "", value)
        if (field == "types") types = value
        else if (field == "uris") uris = value
        else if (field == "suites") suites = value
        else if (field == "components") comps = value
        else if (field == "signed-by" && value ~ /^\//) keyring = value
        else if (field == "enabled") enabled = tolower(value)
      }
      END { flush() }' "$f"
  done
}

pick() {
  awk -F'\t' -v codename="$codename" '
    $1 == "deb" && $4 ~ / main / {
      if (codename != "" && $3 == codename && exact == "") exact = $2 " " $5
      else if (codename != "" && $3 == codename "-updates" && other == "") other = $2 " " $5
      else if (codename == "" && other == "" &&
               $3 ~ /^(oldstable|stable|testing|unstable|sid|buster|bullseye|bookworm|trixie|forky)(-updates)?$/)
        other = $2 " " $5
    }
    END { if (exact != "") print exact; else if (other != "") print other }'
}

found="$(entries | pick)"
if [ -z "$found" ]; then
  echo "debian_mirror.sh: no Debian archive entry (deb ... ${codename:-<release>} main) in $etc/sources.list or $etc/sources.list.d/" >&2
  exit 1
fi
echo "${found% }"
