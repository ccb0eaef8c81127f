#!/bin/sh
# build.sh builds the train command exactly as the Docker images ship it. docker/Dockerfile,
# docker/Dockerfile.cpu and docker/docker.mk all call it, so the build flags live here only
# (docker/docker_test.go fails if a Dockerfile or the make targets run go build themselves).
#
# Usage: docker/build.sh cpu|cuda OUTPUT   (OUTPUT relative to the repository root)
#
# cpu:  a static binary for a base image without libc: with libjpeg-turbo linked in (cgo,
#       libturbojpeg.a and glibc's libc.a) where docker/libjpeg-tags.sh finds the archives,
#       pure Go (CGO_ENABLED=0, image/jpeg) otherwise.
# cuda: -tags cuda with cgo; needs cuda.h and a libcuda.so to link against (the toolkit's stub
#       will do: the real libcuda.so.1 comes from the host driver at run time); with
#       libjpeg-turbo (libturbojpeg.so.0 at run time) where docker/libjpeg-tags.sh finds it.
# libjpeg-turbo decodes a JPEG about 3x faster than image/jpeg (README, "Speed" of the data
# loader); the images install it and set LIBJPEG=yes, so that its absence fails their build.
# LIBJPEG=no builds with image/jpeg.
# -trimpath and -buildvcs=false make the binary independent of where the tree sits and of
# whether .git (excluded from the Docker context) and a git binary are present.
set -eu

if [ $# -ne 2 ]; then
	echo "usage: $0 cpu|cuda OUTPUT" >&2
	exit 2
fi
variant=$1
out=$2
cd "$(dirname "$0")/.."
go=${GO:-go}

case $variant in
cpu)
	if [ -z "$(GO="$go" LIBJPEG_STATIC=1 sh docker/libjpeg-tags.sh)" ]; then
		echo "build.sh: cpu: no static libturbojpeg (libturbojpeg0-dev), or LIBJPEG=no: image/jpeg" >&2
		CGO_ENABLED=0 exec "$go" build -trimpath -buildvcs=false -o "$out" ./cmd/train
	fi
	# netgo and osusergo keep glibc's name-service calls, which need shared libraries at run
	# time even in a static binary, out of the link.
	CGO_ENABLED=1 exec "$go" build -tags libjpeg,netgo,osusergo -ldflags '-linkmode external -extldflags -static' \
		-trimpath -buildvcs=false -o "$out" ./cmd/train
	;;
cuda)
	cuda=${CUDA_HOME:-/usr/local/cuda}
	# The NVIDIA images keep cuda.h and the libcuda stub under $CUDA_HOME; Debian's toolkit
	# puts them in the default search paths, with the stub under .../stubs.
	# go-nvml's cgo prologue warns about NVML's deprecated calls on every build; the
	# warnings say nothing about this project.
	CGO_ENABLED=1 \
		CGO_CFLAGS="${CGO_CFLAGS:--O2 -g} -I$cuda/include -Wno-deprecated-declarations" \
		CGO_LDFLAGS="${CGO_LDFLAGS:-} -L$cuda/lib64/stubs -L/usr/lib/x86_64-linux-gnu/stubs" \
		exec "$go" build -tags "cuda$(GO="$go" sh docker/libjpeg-tags.sh | sed 's/^-tags /,/')" \
		-trimpath -buildvcs=false -o "$out" ./cmd/train
	;;
*)
	echo "$0: unknown variant $variant (want cpu or cuda)" >&2
	exit 2
	;;
esac
