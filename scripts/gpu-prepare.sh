#!/usr/bin/env bash
# gpu-prepare.sh builds, on a CPU machine, what scripts/gpu-check.sh runs on
# the GPU machine: the cuda test binary (suite, compute-sanitizer target and
# kernel benchmarks) into .device/ (git-ignored: name it in the device
# tool's carry), with a copy of ../shared/bench beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-cuda-toolkit.sh >/dev/null
export CGO_LDFLAGS="${CGO_LDFLAGS:-} -L/usr/lib/x86_64-linux-gnu/stubs"
export CGO_CFLAGS="${CGO_CFLAGS:--O2 -g} -Wno-deprecated-declarations"
mkdir -p .device
go test -c -tags cuda -o .device/cuda.test ./cuda/
if [ -d ../shared/bench ]; then
	chmod -R u+w .device/bench 2>/dev/null || true
	rm -rf .device/bench
	cp -r ../shared/bench .device/bench
fi
ls -l .device
