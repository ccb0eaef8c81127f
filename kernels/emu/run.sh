#!/bin/sh
# run.sh builds and runs the CPU emulation of the GEMM and convolution
# kernels (check.cpp; needs g++ 11 or later for C++20 std::barrier). About
# a minute on 2 cores: each emulated block starts one thread per CUDA
# thread.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"${CXX:-g++-11}" -std=c++20 -O1 -pthread -w -o "$tmp/check" check.cpp
"$tmp/check"
