#!/usr/bin/env bash
# gpu-check.sh is the one command to run on the GPU machine, from the
# repository root, over what scripts/gpu-prepare.sh built into .device/.
# The device tool call (after scripts/gpu-prepare.sh here):
#
#   run(command="scripts/gpu-check.sh", carry=[".device"], timeout_s=540)
#
# It brings back $OUT/gpu-check.tgz (every log, the multi-GPU and model
# table ones in subfolders) and $OUT/gpu-check.txt (what it printed).
# GPU_CHECK_SECONDS (default 480) bounds the whole run, leaving 60 s of the
# tool's 540 s for its start and the archive; every step's limit is
# clamped to it.
#
# In order: the shared backend suite on the cuda backend with
# GOCNN_CUDA_DEBUG=1 (a fault names its kernel) and again without (the
# timings); the same under compute-sanitizer's memcheck; every zoo model
# training a few steps on the GPU (nn/models' TestTrainingLowersLoss); the
# kernel micro-benchmarks, PyTorch's timings of the same ops and the table
# of ratios; the model table (scripts/gpu-models.sh: gocnn's fp32 training
# img/s and peak memory beside PyTorch's); then scripts/gpu-multi-check.sh.
# Those two have shares of the budget that the steps before cannot take,
# GPU_MODELS_SECONDS (default 90) and GPU_MULTI_SECONDS (default 120); the
# model table also gets what the steps before leave. It exits non-zero
# when a step fails, and its last line names the failed steps.
#
# GPU_REHEARSAL=1 runs the same steps here against the stand-in device
# (make gpu-rehearsal; see scripts/gpu-lib.sh), on fewer models and
# iterations, with a budget of GPU_CHECK_SECONDS=1500 by default.
# shellcheck disable=SC2317 # the functions run through gpu_run
set -uo pipefail # not -e: a failing step must not stop the others
cd "$(dirname "$0")/.." || exit 2
# shellcheck source=scripts/gpu-lib.sh
. scripts/gpu-lib.sh

if [ "$rehearsal" = 1 ]; then
	gpu_start gpu-check "${GPU_CHECK_SECONDS:-1500}"
	# Two of the zoo's smaller models; kernels skipped where only timings
	# come out, and one iteration of each benchmark.
	zoo_run='TestTrainingLowersLoss/^(resnet18|mobilenet_v2)$'
	timing_env=(env GOCNN_SIM_SKIP_KERNELS=1)
	kernel_benchtime=1x
	overhead_benchtime=1x
else
	gpu_start gpu-check "${GPU_CHECK_SECONDS:-480}"
	zoo_run=TestTrainingLowersLoss
	timing_env=(env)
	kernel_benchtime=20x
	overhead_benchtime=1s
fi
models_seconds=${GPU_MODELS_SECONDS:-90}
multi_seconds=${GPU_MULTI_SECONDS:-120}

# suite NAME SECONDS [VAR=VALUE...] runs the cuda package's tests.
suite() {
	local name=$1 limit=$2 s rc=0
	shift 2
	step "$name" "$limit" env "$@" "$bin/cuda.test" -test.count=1 -test.v -test.run Test || rc=1
	if [ "$rc" != 0 ]; then
		grep -E -- '--- FAIL|panic|Error' "$logs/$name.log" | head -40
	fi
	for s in PASS FAIL SKIP; do
		say "$name $s: $(grep -cE -- "^ *--- $s" "$logs/$name.log")"
	done
	return "$rc"
}

# kernel_cases LOG... prints each case of BenchmarkKernels that -test.v
# announced, with "done" when it printed a result and "started" when not.
kernel_cases() {
	awk '/^BenchmarkKernels\/[^ \t]+$/ { n = substr($0, 18); if (!(n in st)) { st[n] = "started"; order[++k] = n }; next }
		/^BenchmarkKernels\/[^ \t]+[ \t].*ns\/op/ { n = substr($1, 18); sub(/-[0-9]+$/, "", n); st[n] = "done" }
		END { for (i = 1; i <= k; i++) print order[i], st[order[i]] }' "$@"
}

# kernel_bench runs BenchmarkKernels and, when a case crashes the binary,
# reruns the cases it did not reach, skipping those done and the crashed
# one, so that one bad case does not cost the others' measurements. It
# fails when any case crashed.
kernel_bench() {
	local try finished crashed skip=() skip_crashed='' log
	for try in 1 2 3 4 5; do
		log=kernels-$try
		if step "$log" 90 "${timing_env[@]}" "$bin/cuda.test" -test.run '^$' -test.v \
			-test.bench Kernels -test.benchtime "$kernel_benchtime" "${skip[@]}"; then
			[ -z "$skip_crashed" ] || say "BenchmarkKernels: every case ran but $skip_crashed"
			[ -z "$skip_crashed" ]
			return
		fi
		# The crashed case is the first announced without a result (the
		# names of later ones may come out while the panic unwinds).
		crashed=$(kernel_cases "$logs/$log.log" | awk '$2 == "started" { print $1; exit }')
		if [ -z "$crashed" ] || ! grep -q '^panic' "$logs/$log.log"; then
			tail -5 "$logs/$log.log"
			return 1
		fi
		say "BenchmarkKernels/$crashed crashed: $(grep -m1 '^panic' "$logs/$log.log")"
		finished=$(kernel_cases "$logs"/kernels-*.log | awk '$2 == "done" { print $1 }' | paste -sd'|')
		skip=(-test.skip "Kernels/^(${finished:+$finished|}${skip_crashed:+$skip_crashed|}$crashed)\$")
		skip_crashed=${skip_crashed:+$skip_crashed|}$crashed
	done
	return 1
}

main() {
	local left end=$deadline
	# The steps up to the model table end early enough to leave the model
	# table and the multi-GPU checks their shares.
	deadline=$((end - models_seconds - multi_seconds))
	if [ "$rehearsal" = 1 ]; then
		skip_step gpu-info "nvidia-smi needs the card"
	else
		timeout 30 nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$logs/gpu.txt"
	fi
	# The Python helpers parse here too: a syntax error must not cost GPU time.
	python3 -c 'import ast, sys; [ast.parse(open(f).read(), f) for f in sys.argv[1:]]' scripts/gpu_*.py || failed python-syntax

	suite suite-debug 90 GOCNN_CUDA_DEBUG=1 || failed suite-debug
	suite suite 60 || failed suite
	grep -E -- '^--- PASS' "$logs/suite.log" | sort -t'(' -k2 -rn | head -3 |
		sed 's/^--- PASS: /slowest test: /' | measured

	if [ "$rehearsal" = 1 ]; then
		skip_step memcheck "compute-sanitizer needs the card"
	else
		local sanitizer
		sanitizer=$(command -v compute-sanitizer || find /usr/local -maxdepth 3 -path '*/bin/compute-sanitizer' | head -1)
		if ! step memcheck 120 "${sanitizer:-compute-sanitizer}" --tool memcheck --error-exitcode 99 \
			"$bin/cuda.test" -test.count=1 \
			-test.run 'TestBackend|TestCopyPeer|TestConvAgainstCPU|TestGemmAgainstReference'; then
			failed memcheck
			tail -30 "$logs/memcheck.log"
		fi
		grep -E 'ERROR SUMMARY' "$logs/memcheck.log"
	fi

	# End to end: zoo models train a few steps on embedded Fashion-MNIST on
	# the device and their loss falls.
	if ! step zoo 150 "$bin/models.test" -test.count=1 -test.v -test.run "$zoo_run"; then
		failed zoo
		grep -E -- '--- FAIL|panic|loss did not' "$logs/zoo.log" | head -20
		grep -E -- '^=== RUN' "$logs/zoo.log" | tail -1 | sed 's/^=== RUN */last started: /'
		# Subtests' results come out when the whole test ends; each model
		# that got through its steps has logged its losses by then.
		say "zoo: $(grep -c 'loss .* after [0-9]* steps' "$logs/zoo.log") models logged their losses before the end"
	fi
	say "zoo PASS $(grep -cE -- '^ +--- PASS' "$logs/zoo.log") FAIL $(grep -cE -- '^ +--- FAIL' "$logs/zoo.log")"

	kernel_bench || failed kernels
	cat "$logs"/kernels-*.log >"$logs/kernels.log"
	step overhead 30 "${timing_env[@]}" "$bin/cuda.test" -test.run '^$' -test.bench CallOverhead \
		-test.benchtime "$overhead_benchtime" || failed overhead
	grep -E '^BenchmarkCallOverhead' "$logs/overhead.log" | measured
	if [ "$rehearsal" = 1 ]; then
		skip_step torch "PyTorch's timings need the card"
		# The ratio table's parser still runs, against no PyTorch timings.
		echo '{"_device": "none (rehearsal)", "_torch": "none"}' >"$logs/torch.json"
	else
		step torch 60 python3 scripts/gpu_bench_torch.py "$logs/torch.json" || true
	fi
	if [ -s "$logs/torch.json" ]; then
		python3 scripts/gpu_ratio.py "$logs/kernels.log" "$logs/torch.json" | tee "$logs/ratio.txt" | measured
	else
		grep -E '^BenchmarkKernels/.*ns/op' "$logs/kernels.log" | measured
	fi

	deadline=$end
	left=$(($(time_left) - multi_seconds))
	if [ "$left" -ge 60 ]; then
		GPU_LOG_DIR=$logs scripts/gpu-models.sh "$left" || failed gpu-models
	else
		say "${left}s left: no model table (run scripts/gpu-models.sh alone)"
	fi
	GPU_LOG_DIR=$logs GPU_MULTI_SECONDS=$(time_left) scripts/gpu-multi-check.sh || failed gpu-multi-check
	finish
}

gpu_run main
