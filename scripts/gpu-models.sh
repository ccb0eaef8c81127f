#!/usr/bin/env bash
# gpu-models.sh runs on the GPU machine, from the repository root (alone or
# from gpu-check.sh): for each model of the anchors' GPU table, PyTorch's
# fp32 training step (gpu_models_torch.py over scripts/bench/torch_anchor.py,
# the script that measured the anchors) and then gocnn's (`train -bench` of the cuda build), and prints the table of
# both (gpu_model_table.py). Models go in priority order (ResNet-50 first:
# issue 7's target) until the time budget, the first argument in seconds
# (default 300), runs out; GPU_MODELS overrides the list, e.g.
# GPU_MODELS="resnet50 vgg16", and GPU_MODELS_BATCH every batch size.
#
# GPU_REHEARSAL=1 (see gpu-lib.sh): no PyTorch; ResNet-50 and MobileNetV2
# at batch 2, with the stand-in's kernels skipped (only the host side and
# the memory counts run: its timings mean nothing anyway).
# shellcheck disable=SC2317 # the functions run through gpu_run
set -uo pipefail # not -e: one model's failure must not stop the others
cd "$(dirname "$0")/.." || exit 2
# shellcheck source=scripts/gpu-lib.sh
. scripts/gpu-lib.sh
budget=${1:-300}
gpu_start gpu-models "$budget"

# docs/anchors.md's batch sizes; gocnn's registry name where it differs.
declare -A batch=([resnet50]=128 [mobilenet_v2]=256 [resnet18]=256 [alexnet]=256 [vgg16]=64 [googlenet]=128
	[densenet121]=128 [resnext50_32x4d]=128 [mobilenet_v3_large]=256 [mobilenet_v3_small]=256 [xception]=64
	[resnet101]=128 [resnet152]=64 [unet]=16)
declare -A gocnn_name=([unet]=unet_bn)
if [ "$rehearsal" = 1 ]; then
	models=${GPU_MODELS:-resnet50 mobilenet_v2}
	batch_override=${GPU_MODELS_BATCH:-2}
	timing_env=(env GOCNN_SIM_SKIP_KERNELS=1)
else
	models=${GPU_MODELS:-resnet50 mobilenet_v2 resnet18 alexnet vgg16 googlenet densenet121 resnext50_32x4d mobilenet_v3_large mobilenet_v3_small xception resnet101 resnet152 unet}
	batch_override=${GPU_MODELS_BATCH:-}
	timing_env=(env)
fi

# no_torch writes the table's PyTorch side without PyTorch's numbers, so
# that gocnn's still make a table.
no_torch() {
	local m
	{
		printf '{"_device": "%s", "_torch": "none"' "$1"
		for m in $models; do printf ', "%s": {"batch": %s}' "$m" "${batch_override:-${batch[$m]:-32}}"; done
		echo '}'
	} >"$logs/models_torch.json"
}

main() {
	local m steps=() line
	if [ "$rehearsal" = 1 ]; then
		skip_step torch "PyTorch needs the card"
		no_torch "none (rehearsal)"
	else
		# PyTorch first, in one process (one CUDA start), with up to half the
		# time. It rewrites its JSON after every model.
		# shellcheck disable=SC2086 # models is a list
		step torch $((budget / 2)) python3 scripts/gpu_models_torch.py "$logs/models_torch.json" scripts/bench $models
		if [ ! -s "$logs/models_torch.json" ]; then
			tail -5 "$logs/torch.log"
			no_torch "torch failed"
			failed torch
		fi
	fi

	if timeout 30 "$bin/train" -h 2>&1 | grep -q -- '-bench-steps'; then
		steps=(-bench-steps 5)
	fi
	for m in $models; do
		if [ "$(time_left)" -lt 20 ]; then
			say "out of time before $m"
			break
		fi
		step "model-$m" 90 "${timing_env[@]}" "$bin/train" -bench -model "${gocnn_name[$m]:-$m}" -gpus 0 \
			-batch "${batch_override:-${batch[$m]:-32}}" "${steps[@]}" || failed "model-$m"
		line=$(grep -o '[0-9.]* img/s.*' "$logs/model-$m.log" | head -1)
		[ -n "$line" ] || line=$(tail -1 "$logs/model-$m.log")
		say "$m: ${line:-no output}" | measured
	done
	python3 scripts/gpu_model_table.py "$logs/models_torch.json" "$logs" | tee "$logs/models.txt" | measured
	finish
}

gpu_run main
