#!/usr/bin/env bash
# ci-cuda.sh compile-checks the GPU side on a machine without a GPU:
# installs Debian's CUDA toolkit if missing, regenerates the kernels' PTX
# and fails if it differs from the committed files (gen.sh also assembles
# it for sm_90), checks the tensor-core kernels' registers, shared
# memory, spills and SASS (scripts/tensorcore-check.sh), and vets the
# cuda build (which type-checks every package and its tests with -tags
# cuda). scripts/standin-check.sh then builds and
# runs the cuda build on the stand-in device.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS

scripts/install-cuda-toolkit.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sh kernels/gen.sh "$tmp"
(cd kernels && ls -- *.ptx) >"$tmp/committed.list"
(cd "$tmp" && ls -- *.ptx) >"$tmp/generated.list"
if ! diff "$tmp/committed.list" "$tmp/generated.list"; then
	echo "ci-cuda: kernels/*.ptx do not match kernels/*.cu: run go generate ./kernels" >&2
	exit 1
fi
for f in kernels/*.ptx; do
	if ! cmp -s "$f" "$tmp/$(basename "$f")"; then
		diff "$f" "$tmp/$(basename "$f")" | head -20 >&2 || true
		echo "ci-cuda: $f is stale: run go generate ./kernels" >&2
		exit 1
	fi
done
echo "ci-cuda: PTX up to date, assembled for sm_90 ($((SECONDS - start))s)"

# The tensor-core kernels: no spills, two blocks per SM, HMMA in the loop.
scripts/tensorcore-check.sh
echo "ci-cuda: tensor-core kernels pass ptxas and SASS checks for sm_90 ($((SECONDS - start))s)"
# The fp32 SIMT tiles: no spills, two blocks per SM but for the 128x128
# tiles' one (docs/tiles.md).
FAMILIES="conv gemm" ONE_BLOCK='_big_f32$' scripts/tensorcore-check.sh
echo "ci-cuda: fp32 tiled kernels pass ptxas checks for sm_90 ($((SECONDS - start))s)"

# Debian's libcuda1 provides libcuda.so; the toolkit's link stub is the
# fallback where only the toolkit is installed.
export CGO_LDFLAGS="${CGO_LDFLAGS:-} -L/usr/lib/x86_64-linux-gnu/stubs"
# go-nvml's cgo prologue warns about NVML's deprecated calls on every
# build; the warnings say nothing about this project.
export CGO_CFLAGS="${CGO_CFLAGS:--O2 -g} -Wno-deprecated-declarations"

go vet -tags cuda ./...
echo "ci-cuda: go vet -tags cuda passed ($((SECONDS - start))s)"
