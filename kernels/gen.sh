#!/bin/sh
# gen.sh compiles every kernel family (*.cu) in this folder to PTX for
# compute_80, written to the folder given (default: here), and assembles
# that PTX for sm_90 with ptxas, so that errors the GPU machine's JIT would
# raise show up at build time. `go generate ./kernels` runs it.
set -eu
out=$(realpath "${1:-$(dirname "$0")}")
cd "$(dirname "$0")"
NVCC=${NVCC:-nvcc}
# nvcc 11.8 refuses gcc 12 (bookworm's default); Debian's toolkit depends on
# g++-11, its supported host compiler.
CCBIN=${CCBIN:-g++-11}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for cu in *.cu; do
	name=${cu%.cu}
	"$NVCC" -ccbin "$CCBIN" -ptx -arch=compute_80 -O3 -std=c++17 -o "$out/$name.ptx" "$cu"
	"${PTXAS:-ptxas}" -arch=sm_90 -O3 -o "$tmp/$name.cubin" "$out/$name.ptx"
done
