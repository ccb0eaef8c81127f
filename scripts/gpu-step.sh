# gpu-step.sh is sourced by the GPU check scripts. It defines
#   step NAME SECONDS COMMAND...
# which runs COMMAND with a time limit, logs it to $out/NAME.log and prints
# "$step_prefix: NAME rc=RC (Ns)". The caller sets out and step_prefix.
step() {
	local name=$1 limit=$2
	shift 2
	local t0=$SECONDS
	timeout "$limit" "$@" >"$out/$name.log" 2>&1
	local rc=$?
	echo "$step_prefix: $name rc=$rc ($((SECONDS - t0))s)"
	return $rc
}
