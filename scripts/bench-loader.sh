#!/usr/bin/env bash
# bench-loader.sh: the ImageNet training input pipeline (RandomResizedCrop
# 224 + flip, float32 normalised or uint8 batches of 32) on a folder of
# JPEGs: gocnn's loader (train -bench-data) built pure Go and, where
# libturbojpeg is installed, with -tags libjpeg, against torchvision's
# ImageFolder + DataLoader (scripts/torch_loader_bench.py), interleaved for
# ROUNDS rounds; then a Markdown table of the medians (min-max) of img/s
# and of CPU ms per image.
#
# usage: scripts/bench-loader.sh [ROOT] [ROUNDS]
# ROOT (default /tmp/gocnn-loader-corpus) holds train/<class>/*.jpg; when it
# is missing, scripts/jpegcorpus writes 256 synthetic 500x375 JPEGs at
# quality 90 there (and 8 in val/). ROUNDS defaults to 3; 20
# batches are timed per line.
set -euo pipefail
cd "$(dirname "$0")/.."
root=${1:-/tmp/gocnn-loader-corpus}
rounds=${2:-3}
if [ ! -d "$root/train" ]; then
	go run ./scripts/jpegcorpus -out "$root/train" -n 256
	go run ./scripts/jpegcorpus -out "$root/val" -n 8 -seed 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
builds="go"
go build -o "$tmp/train-go" ./cmd/train
if [ "$(sh docker/libjpeg-tags.sh)" = "-tags libjpeg" ]; then
	CGO_ENABLED=1 go build -tags libjpeg -o "$tmp/train-libjpeg" ./cmd/train
	builds="go libjpeg"
else
	echo "bench-loader: libturbojpeg not found (apt install libturbojpeg0-dev): pure Go only" >&2
fi
python=""
for p in ${PYTHON:-python3 /usr/bin/python3}; do
	if "$p" -c 'import torch, torchvision' 2>/dev/null; then
		python=$p
		break
	fi
done
[ -n "$python" ] || echo "bench-loader: no Python with PyTorch and torchvision: gocnn alone" >&2
for round in $(seq "$rounds"); do
	for b in $builds; do
		echo "== round $round gocnn-$b"
		"$tmp/train-$b" -dataset folder -data "$root" -bench-data -batch 32 |
			tee /dev/stderr | awk -v who="gocnn $b" 'NR > 2 { print who "|" $1 "|" $2 "|" $3 "|" $5 }' >>"$tmp/rows"
	done
	if [ -n "$python" ]; then
		echo "== round $round torchvision"
		"$python" scripts/torch_loader_bench.py "$root" --workers 0,1,2 --steps 20 |
			tee /dev/stderr | awk 'NR > 2 { print "torchvision|" $1 "|" $2 "|" $3 "|" $4 }' >>"$tmp/rows"
	fi
done 2>&1 | sed 's/^/  /' >&2
python3 - "$tmp/rows" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    who, w, kind, ips, cpu = line.strip().split("|")
    r = rows.setdefault((who, kind, int(w)), ([], []))
    r[0].append(float(ips))
    if cpu != "n/a":
        r[1].append(float(cpu))
print("| loader | batch | workers | img/s median (min-max) | CPU ms/img median |")
print("|---|---|---:|---:|---:|")
for (who, kind, w), (ips, cpu) in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][0])):
    c = f"{statistics.median(cpu):.2f}" if cpu else "n/a"
    print(f"| {who} | {kind} | {w} | {statistics.median(ips):.0f} ({min(ips):.0f}-{max(ips):.0f}) | {c} |")
PY
