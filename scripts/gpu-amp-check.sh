#!/usr/bin/env bash
# gpu-amp-check.sh checks, on the GPU machine, that mixed precision trains as
# well as fp32 (issue 19): ResNet-20 on the embedded Fashion-MNIST sample with
# the builtin recipe (3 epochs), once in fp32, once with -amp bf16 and once
# with -amp tf32, on GPU 0; each mixed-precision run's best validation top-1
# must be within one point of the fp32 run's. Under the stand-in the three
# runs take hours, so this is the one place the full comparison runs; the
# CPU reference makes the same comparison in train's TestBF16TrainsLikeFP32.
#
# It runs from the repository root over the binaries of
# scripts/gpu-prepare.sh, as a second device call after gpu-check.sh:
#
#   run(command="scripts/gpu-amp-check.sh", carry=[".device"], timeout_s=360)
#
# and leaves $OUT/gpu-amp-check.tgz and .txt. GPU_AMP_SECONDS (default 300)
# bounds it. It exits non-zero when a run fails or a precision is more than a
# point off.
#
# GPU_REHEARSAL=1 (see gpu-lib.sh; make gpu-rehearsal): the same three runs
# against the stand-in on 10 training and 10 validation images, one step of
# batch 10 each, without the comparison (10 images cannot resolve one point;
# the stand-in emulates the tensor-core instructions slowly: 64 images took
# 3-4 minutes a precision).
# shellcheck disable=SC2317 # the functions run through gpu_run
set -uo pipefail # not -e: a failing step must not stop the others
cd "$(dirname "$0")/.." || exit 2
# shellcheck source=scripts/gpu-lib.sh
. scripts/gpu-lib.sh

if [ "$rehearsal" = 1 ]; then
	gpu_start gpu-amp-check "${GPU_AMP_SECONDS:-1200}"
	recipe=(-limit 10 -epochs 1 -batch 10)
else
	gpu_start gpu-amp-check "${GPU_AMP_SECONDS:-300}"
	recipe=()
fi

# best_top1 LOG prints the best validation top-1 (percent) that train
# printed at its end, nothing when it did not get there.
best_top1() { sed -n 's/^best val top-1 \([0-9.]*\)%.*/\1/p' "$1" | tail -1; }

main() {
	local p top fp32='' out
	out=$(mktemp -d)
	for p in fp32 bf16 tf32; do
		if ! step "amp-$p" 90 "$bin/train" -model resnet20 -gpus 0 -amp "$p" "${recipe[@]}" \
			-output "$out/$p"; then
			failed "amp-$p"
			tail -5 "$logs/amp-$p.log"
			continue
		fi
		top=$(best_top1 "$logs/amp-$p.log")
		say "$p: best val top-1 ${top:-missing}%"
		if [ -z "$top" ]; then
			failed "amp-$p"
		elif [ "$p" = fp32 ]; then
			fp32=$top
		elif [ "$rehearsal" = 1 ]; then
			skip_step "amp-$p comparison" "10 images cannot resolve one point"
		elif [ -z "$fp32" ]; then
			say "$p: no fp32 result to compare with"
			failed "amp-$p"
		elif ! awk -v a="$top" -v b="$fp32" 'BEGIN { d = a - b; exit !(d <= 1 && d >= -1) }'; then
			say "$p is more than one point from fp32's $fp32%"
			failed "amp-$p"
		fi
		grep -E 'train done in' "$logs/amp-$p.log" | tail -1 | measured
	done
	rm -rf "$out"
	finish
}

gpu_run main
