#!/usr/bin/env bash
# install-cuda-toolkit.sh installs Debian's CUDA 11.8 toolkit (nvcc, cuda.h, the libcuda link stub)
# so the cuda build tag can be compile-checked on a machine without a GPU. Idempotent: it does
# nothing when nvcc and cuda.h are already there.
#
# --no-install-recommends matters: the recommended packages pull in the NVIDIA kernel driver,
# whose DKMS build takes minutes and is useless without a GPU.
set -euo pipefail

if command -v nvcc >/dev/null 2>&1 && [ -f /usr/include/cuda.h ]; then
	echo "install-cuda-toolkit: $(nvcc --version | tail -n 1) already installed"
	exit 0
fi

sudo=""
if [ "$(id -u)" != 0 ]; then
	sudo=sudo
fi

# The toolkit lives in bookworm's non-free component; add it in its own sources file so the
# system's main sources stay untouched.
src=/etc/apt/sources.list.d/debian-nonfree.sources
if [ ! -f "$src" ]; then
	$sudo tee "$src" >/dev/null <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: contrib non-free non-free-firmware
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# nvidia-cuda-toolkit: nvcc 11.8 and the headers; nvidia-cuda-dev (a dependency) carries
# libcuda.so's link stub under /usr/lib/x86_64-linux-gnu/stubs.
$sudo apt-get install -y -qq --no-install-recommends nvidia-cuda-toolkit
nvcc --version | tail -n 1
