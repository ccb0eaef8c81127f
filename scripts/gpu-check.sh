#!/usr/bin/env bash
# gpu-check.sh runs on the GPU machine, from the repository root, over the
# binaries scripts/gpu-prepare.sh built into .device/: the shared backend
# suite on the cuda backend, the same under compute-sanitizer's memcheck,
# every zoo model training a few steps on the GPU (nn/models'
# TestTrainingLowersLoss, when gpu-prepare.sh built it for the GPU), the
# kernel micro-benchmarks, PyTorch's timings of the same ops, a table
# of the ratios, and with the time left the model table of
# scripts/gpu-models.sh (gocnn's fp32 training img/s and peak memory
# beside PyTorch's). Logs go to $OUT (or /tmp/gpu-check). About 8 minutes
# at most (GPU_CHECK_SECONDS, default 470, bounds it); it exits non-zero
# when the suite, memcheck or a model run fails.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp/gpu-check}
mkdir -p "$out"
bin=.device/cuda.test
[ -x "$bin" ] || { echo "gpu-check: $bin missing: run scripts/gpu-prepare.sh and carry .device" >&2; exit 2; }
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/gpu.txt"

status=0
step_prefix=gpu-check
. scripts/gpu-step.sh

budget=${GPU_CHECK_SECONDS:-470}
if ! step suite 90 "$bin" -test.count=1 -test.v -test.run 'Test'; then
	status=1
	grep -E -- '--- FAIL|panic|Error' "$out/suite.log" | head -40
fi
for s in PASS FAIL SKIP; do
	echo "gpu-check: suite $s: $(grep -cE -- "^ *--- $s" "$out/suite.log")"
done

sanitizer=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
if ! step memcheck 120 "$sanitizer" --tool memcheck --error-exitcode 99 "$bin" -test.count=1 \
	-test.run 'TestBackend|TestScaleChannelsGated|TestCopyPeer|TestConvAgainstCPU|TestGemmAgainstReference'; then
	status=1
	tail -30 "$out/memcheck.log"
fi
grep -E 'ERROR SUMMARY' "$out/memcheck.log"

# End to end: every zoo model trains a few steps on embedded Fashion-MNIST
# on the GPU and its loss falls.
if [ -x .device/models.test ]; then
	if ! step zoo 150 .device/models.test -test.count=1 -test.v -test.run 'TestTrainingLowersLoss'; then
		status=1
		grep -E -- '--- FAIL|panic|loss did not' "$out/zoo.log" | head -20
	fi
	echo "gpu-check: zoo PASS $(grep -cE -- '^ +--- PASS' "$out/zoo.log") FAIL $(grep -cE -- '^ +--- FAIL' "$out/zoo.log")"
else
	echo "gpu-check: no .device/models.test: the zoo training test was not built for the GPU"
fi

step bench 60 "$bin" -test.run '^$' -test.bench 'Kernels|CallOverhead' -test.benchtime 20x || status=1
grep CallOverhead "$out/bench.log"
step torch 60 python3 scripts/gpu_bench_torch.py "$out/torch.json" || true
if [ -s "$out/torch.json" ]; then
	python3 scripts/gpu_ratio.py "$out/bench.log" "$out/torch.json" | tee "$out/ratio.txt"
else
	grep Benchmark "$out/bench.log"
fi
left=$((budget - SECONDS))
if [ "$left" -ge 60 ]; then
	scripts/gpu-models.sh "$left" || status=1
else
	echo "gpu-check: ${left}s left: no model table (run scripts/gpu-models.sh alone)"
fi
exit $status
