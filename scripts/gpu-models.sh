#!/usr/bin/env bash
# gpu-models.sh runs on the GPU machine, from the repository root: for each
# model of ANCHORS.md's GPU table, PyTorch's fp32 training step
# (gpu_models_torch.py over the copy of shared/bench/torch_anchor.py that
# gpu-prepare.sh put in .device/bench) and then gocnn's (`train -bench` of
# the cuda build in .device/train), and prints the table of both
# (gpu_model_table.py) to $OUT/models.txt. Models go in priority order
# (ResNet-50 first: issue 7's target) until the time budget, the first
# argument in seconds (default 300), runs out; GPU_MODELS overrides the
# list, e.g. GPU_MODELS="resnet50 vgg16".
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp/gpu-check}
mkdir -p "$out"
budget=${1:-300}
end=$((SECONDS + budget))
[ -x .device/train ] || { echo "gpu-models: .device/train missing: run scripts/gpu-prepare.sh and carry .device" >&2; exit 2; }

# ANCHORS.md's batch sizes; gocnn's registry name where it differs.
declare -A batch=([resnet50]=128 [mobilenet_v2]=256 [resnet18]=256 [alexnet]=256 [vgg16]=64 [googlenet]=128
	[densenet121]=128 [resnext50_32x4d]=128 [mobilenet_v3_large]=256 [mobilenet_v3_small]=256 [xception]=64
	[resnet101]=128 [resnet152]=64 [unet]=16)
declare -A gocnn_name=([unet]=unet_bn)
models=${GPU_MODELS:-resnet50 mobilenet_v2 resnet18 alexnet vgg16 googlenet densenet121 resnext50_32x4d mobilenet_v3_large mobilenet_v3_small xception resnet101 resnet152 unet}

# PyTorch first, in one process (one CUDA start), with up to half the time.
t0=$SECONDS
timeout $((budget / 2)) python3 scripts/gpu_models_torch.py "$out/models_torch.json" .device/bench $models \
	>"$out/models_torch.log" 2>&1
echo "gpu-models: torch rc=$? ($((SECONDS - t0))s)"
[ -s "$out/models_torch.json" ] || { tail -5 "$out/models_torch.log"; exit 1; }

steps=()
if .device/train -h 2>&1 | grep -q -- '-bench-steps'; then
	steps=(-bench-steps 5)
fi
status=0
for m in $models; do
	left=$((end - SECONDS))
	if [ "$left" -lt 20 ]; then
		echo "gpu-models: out of time before $m"
		break
	fi
	t0=$SECONDS
	timeout $((left < 90 ? left : 90)) .device/train -bench -model "${gocnn_name[$m]:-$m}" -gpus 0 -batch "${batch[$m]}" "${steps[@]}" \
		>"$out/model-$m.log" 2>&1
	rc=$?
	[ $rc -eq 0 ] || status=1
	echo "gpu-models: $m rc=$rc ($((SECONDS - t0))s) $(grep -o '[0-9.]* img/s.*' "$out/model-$m.log" | head -1)"
done
python3 scripts/gpu_model_table.py "$out/models_torch.json" "$out" | tee "$out/models.txt"
exit $status
