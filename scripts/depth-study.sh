#!/usr/bin/env bash
# Trains the four networks of the layer-deletion depth study (docs/lesion.md,
# "Depth study") one after another, in pieces: a run that has a checkpoint in
# runs/depth/MODEL is resumed (bit for bit), one without is started, and a
# finished run resumes into nothing and is passed over. Stop it at any time
# with Ctrl-C or SIGTERM; the run in progress saves a checkpoint first.
#
#   scripts/depth-study.sh [MODEL ...]    default: preresnet20 plain20 preresnet56 preresnet110
set -euo pipefail
cd "$(dirname "$0")/.."
go build -o bin/train ./cmd/train

common=(-dataset builtin -epochs 32 -batch 64 -opt sgd_nesterov -lr 0.1 -momentum 0.9 -wd 1e-4
	-lr-scheduler multisteplr -lr-gamma 0.1 -seed 1 -workers 2 -print-freq 20)

# flags prints the flags of MODEL's fresh run beyond the common ones.
flags() {
	case "$1" in
	preresnet110) # He et al.'s warm-up at 0.01 for one epoch; milestones count after it
		echo -lr-milestones 15,23 -lr-warmup-epochs 1 -lr-warmup-method constant -lr-warmup-decay 0.1 ;;
	*) echo -lr-milestones 16,24 ;;
	esac
}

trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 130' INT TERM
for model in "${@:-preresnet20 plain20 preresnet56 preresnet110}"; do
	for m in $model; do
		dir=runs/depth/$m
		if [ -e "$dir/latest" ]; then
			bin/train -resume "$dir" &
		else
			mkdir -p "$dir"
			# shellcheck disable=SC2046
			bin/train -model "$m" "${common[@]}" $(flags "$m") -output "$dir" &
		fi
		child=$!
		wait "$child"
	done
done
