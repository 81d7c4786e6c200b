#!/usr/bin/env bash
# Mirrors this working tree into DIR/src, with DIR made mode 700: a clone as
# a user keeps it in /root, which only root may enter. tools/test.sh runs its
# sanitizer pass there, so tests that drop to user nobody (badinput) are
# checked to bring along what they run. Copies the files git tracks plus the
# untracked ones it does not ignore (the whole tree when this is no git
# checkout), then third_party/ (real files, so the ONNX Runtime library is
# behind DIR too); node_modules/ is linked. File times are kept, so a build
# folder beside the copy stays incremental.
#
#   tools/private_tree.sh DIR        # prints DIR/src
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${1:?usage: tools/private_tree.sh DIR}"
mkdir -p "$dir"
chmod 700 "$dir"
src="$dir/src"
rm -rf "$src.new"
mkdir "$src.new"
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  (cd "$root" && git ls-files -z -co --exclude-standard | tar --null -T - -cf -) | tar -xf - -C "$src.new"
else
  (cd "$root" && tar --exclude='./build*' --exclude=./node_modules --exclude=./third_party -cf - .) | tar -xf - -C "$src.new"
fi
# -L on the top folder only: third_party may itself be a link (worktrees).
[ -e "$root/third_party" ] && cp -a "$(readlink -f "$root/third_party")" "$src.new/third_party"
[ -e "$root/node_modules" ] && ln -s "$(readlink -f "$root/node_modules")" "$src.new/node_modules"
rm -rf "$src"
mv "$src.new" "$src"
echo "$src"
