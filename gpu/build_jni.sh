#!/usr/bin/env bash
# Builds DJL 0.36's JNI glue (libdjl_torch.so) against the libtorch of $PY's torch, from .gpu/djl-native (gpu/prepare.sh).
# First DJL's own CMake build (find_package(Torch), as DJL's build.sh does); if that fails (a pip wheel's CMake
# config wants a complete CUDA toolkit), the same sources compiled directly with the C++ compiler against the wheel's
# headers and libraries (JNI_DIRECT=1: that one only). Usage: gpu/build_jni.sh BUILD_DIR JRE_DIR [TIMEOUT_S]; prints the library's path last.
set -uo pipefail
home=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$1; jre=$2; limit=${3:-400}
PY=${PY:-python3}
src="$home/.gpu/djl-native"
t0=$(date +%s)
remaining() { echo $(( limit - ($(date +%s) - t0) )); }
read -r TORCH_DIR TORCH_VERSION CUDA ABI < <($PY -c 'import os,torch; print(os.path.dirname(torch.__file__), torch.__version__.split("+")[0], 1 if torch.version.cuda else 0, int(torch._C._GLIBCXX_USE_CXX11_ABI))')
PT_VERSION=""; case "$TORCH_VERSION" in 1.13*|2.0.*|2.1.*) PT_VERSION=V1_13_X;; esac
nvcc=$(command -v nvcc || true); cuda_home=${CUDA_HOME:-$([ -n "$nvcc" ] && dirname "$(dirname "$(readlink -f "$nvcc")")")}
echo "build_jni: torch $TORCH_VERSION at $TORCH_DIR, cuda $CUDA, cxx11 abi $ABI, CUDA toolkit ${cuda_home:-none}" >&2
rm -rf "$build"; mkdir -p "$build"
if [ "${JNI_DIRECT:-0}" != 1 ] && command -v cmake >/dev/null; then
	gen=(); command -v ninja >/dev/null && gen=(-G Ninja)
	if timeout "$(remaining)" cmake -S "$src" -B "$build/cmake" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release \
		-DCMAKE_PREFIX_PATH="$($PY -c 'import torch; print(torch.utils.cmake_prefix_path)')" \
		-DPT_VERSION="$PT_VERSION" -DUSE_CUDA="$([ "$CUDA" = 1 ] && echo 1)" ${cuda_home:+-DCUDAToolkit_ROOT="$cuda_home"} \
		-DUTILS_INCLUDE_DIR="$src/api-native" -DJAVA_INCLUDE_PATH="$src/jni-include" \
		-DJAVA_INCLUDE_PATH2="$src/jni-include/linux" -DJAVA_JVM_LIBRARY="$jre/lib/server/libjvm.so" \
		-DJAVA_AWT_LIBRARY=NotNeeded -DJAVA_AWT_INCLUDE_PATH=NotNeeded >&2 \
		&& timeout "$(remaining)" cmake --build "$build/cmake" -j "$(nproc)" >&2 \
		&& [ -f "$build/cmake/libdjl_torch.so" ]; then
		echo "build_jni: built with CMake in $(( $(date +%s) - t0 )) s" >&2
		echo "$build/cmake/libdjl_torch.so"; exit 0
	fi
	echo "build_jni: the CMake build failed; compiling directly" >&2
fi
cxx=$(command -v c++ || command -v g++ || true)
[ -n "$cxx" ] || { echo "build_jni: no C++ compiler (c++/g++) on this machine: the glue cannot be built here" >&2; exit 1; }
flags=(-std=c++17 -O2 -fPIC -D_GLIBCXX_USE_CXX11_ABI="$ABI" ${PT_VERSION:+-D$PT_VERSION}
	-I"$TORCH_DIR/include" -I"$TORCH_DIR/include/torch/csrc/api/include" -I"$src/build/include" -I"$src/api-native"
	-I"$src/jni-include" -I"$src/jni-include/linux")
libs=(-L"$TORCH_DIR/lib" -ltorch -ltorch_cpu -lc10)
if [ "$CUDA" = 1 ]; then
	inc=$(ls -d "$cuda_home/include" "$cuda_home"/targets/*/include 2>/dev/null | head -1)
	if [ -n "$inc" ] && [ -f "$inc/cuda_runtime_api.h" ]; then flags+=(-DUSE_CUDA -I"$inc"); libs+=(-ltorch_cuda -lc10_cuda)
	else echo "build_jni: no CUDA headers: building without USE_CUDA (no separate CUDA stream, no emptyCache)" >&2; libs+=(-Wl,--no-as-needed -ltorch_cuda); fi
fi
mkdir -p "$build/obj"
ls "$src"/src/main/native/*.cc | timeout "$(remaining)" xargs -P "$(nproc)" -I{} sh -c \
	'"$0" "$@" -c {} -o "'"$build/obj"'/$(basename {} .cc).o" || exit 255' "$cxx" "${flags[@]}" >&2 || { echo "build_jni: compile failed" >&2; exit 1; }
"$cxx" -shared -o "$build/libdjl_torch.so" "$build"/obj/*.o "${libs[@]}" -Wl,-rpath,'$ORIGIN' >&2 || { echo "build_jni: link failed" >&2; exit 1; }
echo "build_jni: built directly in $(( $(date +%s) - t0 )) s" >&2
echo "$build/libdjl_torch.so"
