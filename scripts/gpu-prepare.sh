#!/usr/bin/env bash
# gpu-prepare.sh builds, on a CPU machine, what scripts/gpu-check.sh runs on
# the GPU machine: the cuda test binary (suite, compute-sanitizer target and
# kernel benchmarks) and the cuda build of the train command (model table,
# end-to-end training) into .device/ (git-ignored: name it in the device
# tool's carry), with a copy of ../shared/bench beside them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-cuda-toolkit.sh >/dev/null
export CGO_LDFLAGS="${CGO_LDFLAGS:-} -L/usr/lib/x86_64-linux-gnu/stubs"
export CGO_CFLAGS="${CGO_CFLAGS:--O2 -g} -Wno-deprecated-declarations"
mkdir -p .device
go test -c -tags cuda -o .device/cuda.test ./cuda/
# Stripped (-s -w): the device tool carries at most 64 MiB.
go build -tags cuda -ldflags='-s -w' -o .device/train ./cmd/train
# The zoo's training test runs on the GPU once nn/models picks its backend
# by build tag (backend_cuda_test.go); before that it would only rerun the
# CPU test.
rm -f .device/models.test
if [ -f nn/models/backend_cuda_test.go ]; then
	go test -c -tags cuda -ldflags='-s -w' -o .device/models.test ./nn/models/
fi
if [ -d ../shared/bench ]; then
	chmod -R u+w .device/bench 2>/dev/null || true
	rm -rf .device/bench
	cp -r ../shared/bench .device/bench
fi
ls -l .device
