# shellcheck shell=bash
# gpu-lib.sh is sourced, from the repository root, by the scripts that run
# on the GPU machine (gpu-check.sh, gpu-multi-check.sh, gpu-models.sh). It
# gives them one convention for:
#
#   rehearsal   GPU_REHEARSAL=1 runs the same steps on this machine against
#               the stand-in CUDA device (.standin/lib, built by
#               gpu-prepare.sh), skipping only what needs the real card
#               (nvidia-smi, PyTorch, compute-sanitizer) with one line each,
#               and prefixing every line that shows a speed with "stand-in:"
#               (the stand-in's timings mean nothing).
#   time        each script has a deadline; step clamps every command's
#               limit to it, so a script always ends in time to archive.
#   results     the device tool brings back at most 8 files: each top-level
#               script leaves exactly two in $OUT, NAME.tgz (every log) and
#               NAME.txt (what it printed). A script run by another (nested)
#               writes its logs into a subfolder of the caller's instead.
#   binaries    .device/bin.tgz (gpu-prepare.sh) is unpacked once, into a
#               temporary folder ($bin), shared with nested scripts.
#   libraries   the stand-in's in rehearsal; on the GPU machine libnccl.so.2
#               is looked for where Python wheels put it too.
#
# Use: gpu_start NAME SECONDS; define main (steps, failed, finish last);
# gpu_run main.

rehearsal=0
[ "${GPU_REHEARSAL:-0}" = 1 ] && rehearsal=1
export GPU_REHEARSAL=$rehearsal

# say prints one line of the summary, prefixed with the script's name.
say() { echo "$me: $*"; }

# measured prefixes lines that show a speed, in rehearsal, so that no
# stand-in timing is ever read as a GPU's.
measured() {
	if [ "$rehearsal" = 1 ]; then sed -u 's/^/stand-in: /'; else cat; fi
}

# failed NAME records a failed step; finish, the body's last call, prints
# them (or that all passed) and returns the script's status.
failures=()
failed() { failures+=("$1"); }
finish() {
	if [ ${#failures[@]} = 0 ]; then
		say "done in ${SECONDS}s: every step passed"
		return 0
	fi
	say "done in ${SECONDS}s: FAILED: ${failures[*]}"
	return 1
}

# skip_step NAME WHY: the one line a step skipped in rehearsal prints.
skip_step() { say "$1 skipped (rehearsal: $2)"; }

# time_left: seconds to the deadline, less what archiving needs.
time_left() { echo $((deadline - SECONDS - 10)); }

# step NAME SECONDS COMMAND... runs COMMAND with a time limit (clamped to the
# deadline), logs it to $logs/NAME.log and prints "NAME rc=RC (Ns)". It
# returns COMMAND's status: 124 when the limit ended it or no time was left.
# SECONDS is sized for the GPU; the stand-in gets GPU_REHEARSAL_SLOWDOWN
# (default 4) times as long.
step() {
	local name=$1 limit=$2 left t0 rc
	shift 2
	[ "$rehearsal" = 0 ] || limit=$((limit * ${GPU_REHEARSAL_SLOWDOWN:-4}))
	left=$(time_left)
	[ "$limit" -le "$left" ] || limit=$left
	if [ "$limit" -lt 5 ]; then
		echo "not run: out of time" >"$logs/$name.log"
		say "$name not run: out of time"
		return 124
	fi
	t0=$SECONDS
	# -k: a hung GPU process may ignore SIGTERM.
	timeout -k 10 "$limit" "$@" >"$logs/$name.log" 2>&1
	rc=$?
	say "$name rc=$rc ($((SECONDS - t0))s)"
	return $rc
}

# nccl_lookup prints the folder of the first libnccl.so.2 found outside
# the linker's cache, and where it came from, as "DIR<TAB>HOW"; nothing
# when there is none. PyTorch's wheels bring NCCL as the nvidia-nccl wheel.
nccl_lookup() {
	local dir d
	# __path__ rather than __file__: nvidia/ may be a namespace package.
	dir=$(python3 -c 'import nvidia.nccl as m; print(list(m.__path__)[0] + "/lib")' 2>/dev/null) || dir=
	if [ -n "$dir" ] && [ -e "$dir/libnccl.so.2" ]; then
		printf '%s\tthe Python package nvidia.nccl\n' "$dir"
		return
	fi
	for d in $(python3 -c 'import site; print(*site.getsitepackages(), site.getusersitepackages())' 2>/dev/null); do
		[ -d "$d" ] || continue
		dir=$(find "$d" -maxdepth 5 -name 'libnccl.so.2*' -print -quit 2>/dev/null)
		if [ -n "$dir" ]; then
			printf '%s\ta search of %s\n' "$(dirname "$dir")" "$d"
			return
		fi
	done
}

# gpu_env sets the libraries up, once per top-level run: the stand-in's in
# rehearsal, the driver's and an NCCL on the GPU machine.
gpu_env() {
	[ -z "${GPU_ENV_READY:-}" ] || return 0
	export GPU_ENV_READY=1
	local found
	found=$(nccl_lookup)
	if [ "$rehearsal" = 1 ]; then
		if [ ! -e .standin/lib/libcuda.so.1 ]; then
			say ".standin/lib/libcuda.so.1 missing: run scripts/gpu-prepare.sh"
			exit 2
		fi
		export LD_LIBRARY_PATH=$PWD/.standin/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
		say "rehearsal: the stand-in CUDA device, NCCL and NVML from $PWD/.standin/lib"
		say "rehearsal: the GPU machine's NCCL lookup here finds: ${found:-nothing}"
		return
	fi
	if ldconfig -p 2>/dev/null | grep -q 'libnccl\.so\.2 '; then
		say "NCCL: $(ldconfig -p | grep -m1 'libnccl\.so\.2 ' | sed 's/.*=> //') (the linker cache)"
	elif [ -n "$found" ]; then
		export LD_LIBRARY_PATH=${found%%$'\t'*}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
		say "NCCL: ${found%%$'\t'*}/libnccl.so.2, found by ${found#*$'\t'}, prepended to LD_LIBRARY_PATH"
	else
		say "NCCL: no libnccl.so.2 in the linker cache or Python's site-packages: the NCCL steps will fail"
	fi
}

# gpu_start NAME SECONDS sets me, deadline and logs.
gpu_start() {
	me=$1
	deadline=$((SECONDS + $2))
	work=
	if [ -n "${GPU_LOG_DIR:-}" ]; then
		# Nested: the caller archives.
		nested=1
		logs=$GPU_LOG_DIR/$me
	else
		nested=0
		if [ "$rehearsal" = 1 ]; then
			OUT=${OUT:-$PWD/out/gpu-rehearsal}
		else
			OUT=${OUT:-/tmp/gpu-out}
		fi
		mkdir -p "$OUT"
		rm -f "$OUT/$me.tgz" "$OUT/$me.txt"
		work=$(mktemp -d)
		# shellcheck disable=SC2064 # expand now: work is this run's own
		trap "rm -rf '$work'" EXIT
		logs=$work/$me
	fi
	mkdir -p "$logs"
}

# gpu_setup sets the libraries up and unpacks the binaries into $bin, once
# per top-level run (nested scripts inherit both through the environment).
gpu_setup() {
	gpu_env
	if [ -z "${GPU_BIN_DIR:-}" ]; then
		if [ ! -f .device/bin.tgz ]; then
			say ".device/bin.tgz missing: run scripts/gpu-prepare.sh (GPU_REHEARSAL=1 to rehearse) and carry .device"
			exit 2
		fi
		export GPU_BIN_DIR=$work/bin
		mkdir -p "$GPU_BIN_DIR"
		tar xzf .device/bin.tgz -C "$GPU_BIN_DIR"
		say "binaries: $(head -1 "$GPU_BIN_DIR/manifest.txt")"
	fi
	# shellcheck disable=SC2034 # for the scripts that source this
	bin=$GPU_BIN_DIR
}

# gpu_archive bundles $logs into $OUT/$me.tgz and refuses member names the
# device tool would not bring back unharmed ('=' and ',').
gpu_archive() {
	local bad
	bad=$(cd "$logs/.." && find "$me" | grep '[=,]')
	[ -z "$bad" ] || { echo "$me: log names with '=' or ',': $bad" >&2; return 1; }
	tar czf "$OUT/$me.tgz" -C "$logs/.." "$me"
	echo "$me: logs in $OUT/$me.tgz ($(($(wc -c <"$OUT/$me.tgz") / 1024)) KiB), summary in $OUT/$me.txt"
}

# gpu_run FUNCTION runs the script's body, copying what it prints to the
# summary, archives the logs and exits with the body's status.
gpu_run() {
	local rc
	if [ "$nested" = 1 ]; then
		gpu_setup
		"$@"
		exit $?
	fi
	{ gpu_setup && "$@"; } 2>&1 | tee "$logs/summary.txt"
	rc=${PIPESTATUS[0]}
	cp "$logs/summary.txt" "$OUT/$me.txt"
	gpu_archive || rc=1
	exit "$rc"
}
