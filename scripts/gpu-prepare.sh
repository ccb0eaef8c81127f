#!/usr/bin/env bash
# gpu-prepare.sh builds here (the GPU machine has no Go) everything the GPU
# checks run (gpu-check.sh, which also runs gpu-multi-check.sh and
# gpu-models.sh) into .device/ (git-ignored; the device tool's carry):
#
#   .device/bin.tgz   stripped cuda-tagged test binaries of ./cuda,
#                     ./nn/models and ./train, the test binary of
#                     ./train/dist, the cuda build of ./cmd/train, and
#                     manifest.txt (commit, date, toolchain)
#
# The binaries link against the stand-in CUDA device's libcuda.so.1 (built
# here by `make standin`), so neither a driver nor the toolkit's link stub
# is needed; they load the real driver's libcuda.so.1 on the GPU machine
# and the stand-in's under GPU_REHEARSAL=1. The device tool carries at most
# 64 MiB: prepare fails when .device passes 56 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
limit_mib=56

scripts/install-cuda-toolkit.sh >/dev/null # cuda.h, for cgo and the stand-in
make -s standin >/dev/null
export CGO_LDFLAGS="-L$PWD/.standin/lib"
# go-nvml's cgo prologue warns about NVML's deprecated calls on every build.
export CGO_CFLAGS="${CGO_CFLAGS:--O2 -g} -Wno-deprecated-declarations"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# -s -w: no symbol table or DWARF (panics still name functions and lines).
go test -c -tags cuda -ldflags='-s -w' -o "$tmp/cuda.test" ./cuda/
go test -c -tags cuda -ldflags='-s -w' -o "$tmp/models.test" ./nn/models/
go test -c -tags cuda -ldflags='-s -w' -o "$tmp/train.test" ./train/
go test -c -ldflags='-s -w' -o "$tmp/dist.test" ./train/dist/
go build -tags cuda -ldflags='-s -w' -o "$tmp/train" ./cmd/train
{
	echo "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo '+changes'), built $(date -u +%FT%TZ)"
	go version
	ls -l "$tmp"
} >"$tmp/manifest.txt"

# A fresh .device: old binaries must not ride along in the carry.
rm -rf .device
mkdir .device
tar czf .device/bin.tgz -C "$tmp" cuda.test models.test train.test dist.test train manifest.txt
ls -l .device
kib=$(du -sk .device | cut -f1)
echo "gpu-prepare: .device is $((kib / 1024)) MiB ($kib KiB; carry limit 64 MiB, ours $limit_mib)"
if [ "$kib" -gt $((limit_mib * 1024)) ]; then
	echo "gpu-prepare: FAILED: .device is over $limit_mib MiB: the device tool would not carry it" >&2
	exit 1
fi
