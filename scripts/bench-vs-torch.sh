#!/usr/bin/env bash
# bench-vs-torch.sh: whole CPU training steps, gocnn (train -bench) against
# Debian's PyTorch (scripts/bench/torch_cpu_anchor.py) on the same cases,
# interleaved case by case for ROUNDS rounds so that both see the machine in
# the same state, then a Markdown table of img/s (median, min-max) and the
# ratio of the medians. Without PyTorch it times gocnn alone and says so.
#
# usage: scripts/bench-vs-torch.sh [ROUNDS [CASE...]]   (make bench-vs-torch; ROUNDS defaults to 3)
# CASEs are torch_cpu_anchor.py's names (resnet18, resnet50_b32, ...): only those; all when none.
# THREADS (default: all cores) is given to both.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
only=" ${*:2} "
threads=${THREADS:-$(nproc)}
# gocnn model, input side, batch, torch_cpu_anchor.py's name for it
cases=(
	"resnet20 32 128 resnet20_cifar"
	"resnet110 32 64 resnet110_cifar"
	"resnet18 112 32 resnet18"
	"resnet18 112 16 resnet18_b16"
	"resnet50 112 16 resnet50"
	"resnet50 112 32 resnet50_b32"
	"mobilenet_v2 112 32 mobilenet_v2"
	"unet 32 8 unet"
	"vgg11 64 32 vgg11"
	"densenet121 112 16 densenet121"
)
# PYTHON, or the first of python3 and Debian's /usr/bin/python3 that has
# PyTorch and torchvision (apt install python3-torch python3-torchvision).
torch=""
for python in ${PYTHON:-python3 /usr/bin/python3}; do
	if "$python" -c 'import torch, torchvision' 2>/dev/null; then
		torch=yes
		break
	fi
done
if [ -z "$torch" ]; then
	python=python3
	echo "bench-vs-torch: no Python with PyTorch and torchvision (apt install python3-torch python3-torchvision): gocnn alone" >&2
fi
bin=$(mktemp -d)/train
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./cmd/train
log=$(mktemp)
for round in $(seq "$rounds"); do
	for c in "${cases[@]}"; do
		read -r model size batch tname <<<"$c"
		if [ "$only" != "  " ] && [[ $only != *" $tname "* ]]; then
			continue
		fi
		name="$model (${size}x${size}, batch $batch)"
		ours=$(GOMAXPROCS=$threads "$bin" -model "$model" -bench -batch "$batch" -train-crop-size "$size" |
			sed -n 's/.* \([0-9.]*\) img\/s.*/\1/p')
		printf 'gocnn\t%s\t%s\n' "$name" "$ours" >>"$log"
		if [ -n "$torch" ]; then
			theirs=$("$python" scripts/bench/torch_cpu_anchor.py "$threads" "$tname" | sed -n 's/.*img_s=\([0-9.]*\).*/\1/p')
			printf 'torch\t%s\t%s\n' "$name" "$theirs" >>"$log"
		fi
		echo "round $round/$rounds: $model ${size}x${size} batch $batch: gocnn $ours img/s${torch:+, PyTorch $theirs img/s}" >&2
	done
done
"$python" - "$log" "$threads" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    who, model, v = line.rstrip("\n").split("\t")
    runs.setdefault(model, {}).setdefault(who, []).append(float(v))
def cell(v):
    return f"{statistics.median(v):.1f} ({min(v):.1f}-{max(v):.1f})" if v else "-"
print(f"| case ({sys.argv[2]} threads) | gocnn img/s | PyTorch img/s | ratio of medians |")
print("|---|---:|---:|---:|")
for model, r in runs.items():
    g, t = r.get("gocnn", []), r.get("torch", [])
    ratio = f"{statistics.median(g) / statistics.median(t):.2f}x" if g and t else "-"
    print(f"| {model} | {cell(g)} | {cell(t)} | {ratio} |")
PY
