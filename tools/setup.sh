#!/usr/bin/env bash
# Installs everything the build, the demo and the tests need on a Debian 12
# machine whose only outside access is the Debian archive and the npm registry.
# Idempotent: a second run checks and returns quickly.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
third="$root/third_party"           # ignored by git; CMake looks here
ort_dir="$third/onnxruntime"
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"

log() { echo "setup: $*" >&2; }

# --- Debian packages -------------------------------------------------------
debs=(
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libstb-dev nlohmann-json3-dev libcli11-dev libcurl4-openssl-dev zlib1g-dev
  emscripten binaryen
  chromium libvulkan1 mesa-vulkan-drivers
  python3-torch python3-numpy python3-pil python3-onnx libopenblas0-pthread
  libfaiss-dev python3-faiss
  unicode-data
  imagemagick time util-linux
)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- npm packages (exact versions in package.json + package-lock.json) -----
# onnxruntime-node's post-install step would download GPU binaries: skip it,
# the CPU + WebGPU library it ships is all we use.
export ONNXRUNTIME_NODE_INSTALL=skip
if [ ! -f "$root/node_modules/.package-lock.json" ] ||
   ! cmp -s "$root/package-lock.json" "$root/node_modules/.setup-lock-copy" 2>/dev/null; then
  log "installing npm packages (npm ci)"
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$root/package-lock.json" "$root/node_modules/.setup-lock-copy"
fi

# --- ONNX Runtime: library from npm, headers from Debian 13's -dev package --
ort_lib_src="$root/node_modules/onnxruntime-node/bin/napi-v6/linux/x64"
mkdir -p "$ort_dir/lib" "$ort_dir/include"
for f in "$ort_lib_src"/libonnxruntime.so*; do
  [ -e "$f" ] || { log "missing $ort_lib_src/libonnxruntime.so.1 (npm install failed?)"; exit 1; }
  cp -u "$f" "$ort_dir/lib/"
done
[ -e "$ort_dir/lib/libonnxruntime.so" ] || ln -sf libonnxruntime.so.1 "$ort_dir/lib/libonnxruntime.so"

if [ ! -f "$ort_dir/include/onnxruntime_cxx_api.h" ]; then
  log "fetching ONNX Runtime headers (Debian trixie libonnxruntime-dev, headers only)"
  apt_tmp="$(mktemp -d)"
  trap 'rm -rf "$apt_tmp"' EXIT
  mkdir -p "$apt_tmp/lists/partial" "$apt_tmp/cache/archives/partial" "$apt_tmp/etc"
  # The same archive (mirror, local cache or proxy) this machine's apt uses,
  # for the trixie suite; apt's own proxy settings still apply.
  archive="$("$root/tools/debian_mirror.sh")" ||
    { log "cannot tell which Debian archive apt uses here; install the ONNX Runtime headers yourself (ONNXRUNTIME_ROOT)"; exit 1; }
  read -r mirror keyring <<<"$archive"
  echo "deb [signed-by=${keyring:-/usr/share/keyrings/debian-archive-keyring.gpg}] $mirror trixie main" \
    > "$apt_tmp/etc/sources.list"
  apt_opts=(-o Dir::Etc::SourceList="$apt_tmp/etc/sources.list" -o Dir::Etc::SourceParts=/dev/null
            -o Dir::State::Lists="$apt_tmp/lists" -o Dir::Cache="$apt_tmp/cache"
            -o Dir::State::Status=/var/lib/dpkg/status -o APT::Architecture=amd64 -o APT::Sandbox::User=root)
  apt-get "${apt_opts[@]}" update -qq
  (cd "$apt_tmp" && apt-get "${apt_opts[@]}" download libonnxruntime-dev >/dev/null)
  dpkg -x "$apt_tmp"/libonnxruntime-dev_*.deb "$apt_tmp/x"
  hdr="$(dirname "$(find "$apt_tmp/x" -name onnxruntime_cxx_api.h | head -1)")"
  cp "$hdr"/*.h "$ort_dir/include/"
fi

# --- A build-local include folder of links for Emscripten ------------------
# emcc must never see -I/usr/include (glibc headers break it), so the
# header-only libraries are reached through links.
inc="$third/include"
mkdir -p "$inc"
ln -sfn /usr/include/nlohmann "$inc/nlohmann"
ln -sfn /usr/include/stb "$inc/stb"
ln -sfn /usr/include/CLI "$inc/CLI"

log "ok"
