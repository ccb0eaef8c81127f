#!/usr/bin/env bash
# tensorcore-check.sh checks the tensor-core kernels statically, with no
# GPU: ptxas for sm_90 assembles each family in FAMILIES (default: the
# bf16 and tf32 ones) from its PTX in DIR (default kernels/), and for every entry
#   - reports no spills,
#   - uses registers and shared memory that let at least two blocks of its
#     launch bound (.maxntid) run on one SM (65536 registers, allocated per
#     warp in units of 256; 228 KiB of shared memory, 1 KiB of it reserved
#     per block; 2048 threads; 32 blocks),
# and every tiled product (conv2d_*_bf16_f32, conv2d_*_bf16_tall_f32,
# gemm_bf16_??_f32, gemm_bf16_??_tall_f32, their _pipe_f32 forms and
# their _tf32 twins) has HMMA instructions inside a loop of its SASS
# (cuobjdump -sass: a backward branch whose body holds them), every
# pipelined one (_pipe_f32, kernels/mma_pipe.cuh) has LDGSTS (cp.async)
# inside a loop too, and every 64x64 one of those has its 128x64 _tall
# variant in the family (both tiles serve products and all three
# convolution passes; the pipelined ones products, the forward pass and
# the filter gradient).
# ONE_BLOCK, an extended regular
# expression, names entries that need only one block per SM: ci-cuda.sh
# checks the fp32 SIMT families (conv, gemm) with it set to their
# 128x128 tiles, one block of 256 threads by design, so that their 128x64
# and 64x64 tiles need two. It prints one line per entry:
#   entry registers shared-bytes spill-bytes blocks-per-SM HMMA-in-loop LDGSTS-in-loop
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-kernels}
families=${FAMILIES:-conv_bf16 gemm_bf16 conv_tf32 gemm_tf32}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
for fam in $families; do
	ptx="$dir/$fam.ptx"
	"${PTXAS:-ptxas}" -arch=sm_90 -O3 -v -o "$tmp/$fam.cubin" "$ptx" 2>"$tmp/$fam.log"
	cuobjdump -sass "$tmp/$fam.cubin" >"$tmp/$fam.sass"
	# entry -> launch bound, from the PTX
	awk '/^\.visible \.entry/ { name = $3; sub(/\(.*/, "", name) }
	     /^\.maxntid/ { gsub(/,/, "", $2); print name, $2 }' "$ptx" >"$tmp/$fam.bounds"
	# entry registers shared spill-bytes, from ptxas -v
	awk '/Compiling entry function/ { name = $0; sub(/.*function .'"'"'?/, "", name); sub(/'"'"'.*/, "", name); smem = 0 }
	     /bytes spill stores/ { spill = $5 + $9 }
	     /Used [0-9]+ registers/ { regs = $5; smem = 0
	         if (match($0, /[0-9]+ bytes smem/)) smem = substr($0, RSTART, RLENGTH) + 0
	         print name, regs, smem, spill }' "$tmp/$fam.log" >"$tmp/$fam.use"
	# "entry HMMA" and "entry LDGSTS" for the entries whose SASS has that
	# instruction between a backward branch and its target
	awk '/Function :/ { name = $3 }
	     function hex(s,   v, i) { v = 0; for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
	     match($0, /\/\*[0-9a-f]+\*\//) { addr = hex(substr($0, RSTART + 2, RLENGTH - 4))
	         if ($0 ~ /HMMA/) at[name, "HMMA"] = at[name, "HMMA"] " " addr
	         if ($0 ~ /LDGSTS/) at[name, "LDGSTS"] = at[name, "LDGSTS"] " " addr
	         if (match($0, /BRA 0x[0-9a-f]+/)) { to = hex(substr($0, RSTART + 6, RLENGTH - 6))
	             if (to < addr) loops[name] = loops[name] " " to ":" addr } }
	     END { for (n in loops) { split(loops[n], ls, " ")
	             split("HMMA LDGSTS", kinds, " ")
	             for (k in kinds) { split(at[n, kinds[k]], hs, " ")
	                 for (i in ls) { split(ls[i], r, ":"); found = 0
	                     for (j in hs) if (hs[j] + 0 >= r[1] + 0 && hs[j] + 0 <= r[2] + 0) { found = 1; break }
	                     if (found) { print n, kinds[k]; break } } } } }' \
		"$tmp/$fam.sass" | sort -u >"$tmp/$fam.loops"
	while read -r name regs smem spill; do
		threads=$(awk -v n="$name" '$1 == n { print $2 }' "$tmp/$fam.bounds")
		threads=${threads:-1024}
		warps=$(((threads + 31) / 32))
		perwarp=$(((regs * 32 + 255) / 256 * 256))
		byregs=$((65536 / (warps * perwarp)))
		bysmem=$((233472 / (smem + 1024)))
		bythreads=$((2048 / threads))
		blocks=$((byregs < bysmem ? byregs : bysmem))
		blocks=$((blocks < bythreads ? blocks : bythreads))
		blocks=$((blocks < 32 ? blocks : 32)) # resident blocks per SM
		loop=no copies=no
		grep -qx "$name HMMA" "$tmp/$fam.loops" && loop=yes
		grep -qx "$name LDGSTS" "$tmp/$fam.loops" && copies=yes
		echo "$name $regs $smem $spill $blocks $loop $copies"
		if [ "$spill" != 0 ]; then
			echo "tensorcore-check: $name spills $spill bytes (ptxas for sm_90)" >&2
			fail=1
		fi
		need=2
		if [ -n "${ONE_BLOCK:-}" ] && [[ $name =~ $ONE_BLOCK ]]; then
			need=1
		fi
		if [ "$blocks" -lt "$need" ]; then
			echo "tensorcore-check: $name: $blocks block per SM ($regs registers, $smem bytes shared, $threads threads)" >&2
			fail=1
		fi
		if [[ $name =~ ^(conv2d_.*_(bf16|tf32)(_tall)?(_pipe)?_f32|gemm_(bf16|tf32)_..(_tall)?(_pipe)?_f32)$ ]] &&
			[ "$loop" != yes ]; then
			echo "tensorcore-check: $name: no HMMA inside a loop of its SASS" >&2
			fail=1
		fi
		if [[ $name =~ _pipe_f32$ ]] && [ "$copies" != yes ]; then
			echo "tensorcore-check: $name: no LDGSTS (cp.async) inside a loop of its SASS" >&2
			fail=1
		fi
		if [[ $name =~ ^(conv2d_.*_(bf16|tf32)(_pipe)?_f32|gemm_(bf16|tf32)_..(_pipe)?_f32)$ ]]; then
			base=${name%_f32} pipe=
			if [[ $base == *_pipe ]]; then base=${base%_pipe} pipe=_pipe; fi
			if ! awk -v n="${base}_tall${pipe}_f32" '$1 == n { found = 1 } END { exit !found }' "$tmp/$fam.use"; then
				echo "tensorcore-check: $name has no 128x64 variant ${base}_tall${pipe}_f32" >&2
				fail=1
			fi
		fi
	done <"$tmp/$fam.use"
done
exit $fail
