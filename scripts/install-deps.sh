#!/usr/bin/env bash
# install-deps.sh: install what egress needs to build, test and benchmark on
# Debian 12, as root.  Idempotent: packages already present are skipped, so
# it is cheap to run before every build.
set -euo pipefail
pkgs=(build-essential cmake pkg-config git
      libvectorscan-dev libzstd-dev zlib1g-dev libssl-dev libyaml-dev
      clang libclang-rt-14-dev python3 ripgrep zstd gzip hyperfine valgrind time bc
      postgresql libpq-dev libsqlite3-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
