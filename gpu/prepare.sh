#!/usr/bin/env bash
# Prepares, on a machine with a JDK 17 and Maven (this one), everything the GPU machine lacks for gpu/run_checks.sh:
# .gpu/ (ignored; the `run` tool carries it) holds
#   jre.tar.xz        a jlink'd Java 17 runtime with the modules the CLI needs (uncompressed modules, xz: ~17 MB)
#   lib/              the CLI's run-time jars, without the CPU libtorch jar and DJL's CPU JNI jar
#   classes.jar       this project's compiled classes
#   djl-native/       DJL 0.36.0's JNI glue sources (engines/pytorch/pytorch-native: CMakeLists.txt, src/main/native),
#                     djl/utils.h, jni.h, and the JNI header javac -h generates from PyTorchLibrary.java: the GPU machine
#                     builds libdjl_torch.so against its own libtorch (issue 22)
# DJL's sources come from a git clone of deepjavalibrary/djl: DJL_REPO=/path/to/djl.git (a bare mirror works).
# Usage: gpu/prepare.sh      then: du -sh .gpu; the whole tree that travels must stay under 64 MiB.
set -euo pipefail
home=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out="$home/.gpu"
djl=${DJL_REPO:-/work/.mirror/deepjavalibrary+djl/repo}
tag=v0.36.0
[ -d "$djl" ] || { echo "prepare: no DJL git repository at $djl: set DJL_REPO to a clone of deepjavalibrary/djl" >&2; exit 1; }
mkdir -p "$out"
cd "$home"

echo "prepare: compiling the project and listing its class path" >&2
mvn -B -q -o -DskipTests compile dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$out/cp.txt" >&2
rm -rf "$out/lib" && mkdir -p "$out/lib"
tr ':' '\n' < "$out/cp.txt" | grep -v -e pytorch-native- -e pytorch-jni- | while read -r jar; do cp "$jar" "$out/lib/"; done
rm "$out/cp.txt"
(cd target/classes && jar --create --file "$out/classes.jar" .)

echo "prepare: DJL $tag JNI sources and header" >&2
src="$out/djl-native"
rm -rf "$src" && mkdir -p "$src/src/main" "$src/api-native/djl" "$src/build/include"
git --git-dir="$djl/.git" rev-parse "$tag" >/dev/null 2>&1 && gd="$djl/.git" || gd="$djl"
git --git-dir="$gd" archive "$tag" engines/pytorch/pytorch-native/CMakeLists.txt engines/pytorch/pytorch-native/src/main/native \
	api/src/main/native/djl/utils.h engines/pytorch/pytorch-engine/src/main/java | tar -x -C "$src"
mv "$src/engines/pytorch/pytorch-native/CMakeLists.txt" "$src/"
mv "$src/engines/pytorch/pytorch-native/src/main/native" "$src/src/main/"
mv "$src/api/src/main/native/djl/utils.h" "$src/api-native/djl/"
tmp=$(mktemp -d)
api=$(ls ~/.m2/repository/ai/djl/api/0.36.0/api-0.36.0.jar)
javac -nowarn -cp "$api" -sourcepath "$src/engines/pytorch/pytorch-engine/src/main/java" -h "$src/build/include" -d "$tmp" \
	"$src/engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java" 2>/dev/null
rm -rf "$tmp" "$src/engines" "$src/api"
ls "$src/build/include"/ai_djl_pytorch_jni_PyTorchLibrary.h >/dev/null
jdk=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
mkdir -p "$src/jni-include/linux" && cp "$jdk/include/jni.h" "$src/jni-include/" && cp "$jdk/include/linux/jni_md.h" "$src/jni-include/linux/"

if [ ! -f "$out/jre.tar.xz" ] || [ "${REBUILD_JRE:-0}" = 1 ]; then
	echo "prepare: jlink'd Java runtime (a few minutes: xz)" >&2
	jre=$(mktemp -d)/jre
	jlink --add-modules java.base,java.compiler,java.desktop,java.logging,java.management,java.naming,java.prefs,java.rmi,java.scripting,java.sql,jdk.unsupported \
		--strip-debug --no-header-files --no-man-pages --compress=0 --output "$jre"
	strip --strip-unneeded "$jre/lib/server/libjvm.so"
	tar -C "$(dirname "$jre")" -cf - jre | xz -T2 -6 > "$out/jre.tar.xz"
	rm -rf "$(dirname "$jre")"
fi
du -sh "$out"/* >&2
echo "prepare: .gpu is $(du -sm "$out" | cut -f1) MB; tracked files $(git ls-files -z | du -cm --files0-from=- | tail -1 | cut -f1) MB" >&2
