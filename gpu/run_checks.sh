#!/usr/bin/env bash
# The GPU checks of issue 22 in one call, on the GPU machine (python3 with PyTorch 2.11 + CUDA 13, no Java, no network):
#   1. what the machine has (card, driver, torch, compilers);
#   2. Python: each bundle part on CUDA against the CPU, reruns, a Python loop over the TorchScript files, and the
#      CompVis bsr_sr U-Net (seeded random weights) with 128² latent tiles batched by 8 in fp32/bf16/fp16 (gpu/py_checks.py);
#   3. DJL's JNI glue (libdjl_torch.so) built there against that machine's own libtorch, from the sources and header
#      gpu/prepare.sh put in .gpu/djl-native;
#   4. the Java CLI (jlink'd JRE from .gpu/jre.tar.xz) on CUDA: info, inpaint, superres, sample, bench, each output
#      compared with the CPU's (max |gpu - cpu| / value range, goal <= 1e-3) and a GPU rerun (bit-identical?).
# Everything is printed and summed up in $OUT/summary.txt (logs beside it).
#
# Usage: gpu/prepare.sh (here, once)  then on the GPU machine: gpu/run_checks.sh
#        gpu/run_checks.sh --dry-run  (here: the same steps on the CPU with small sizes, to catch errors first)
set -uo pipefail
home=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$home"
DRY=0
[ "${1:-}" = "--dry-run" ] && DRY=1
OUT=${OUT:-$home/build/gpu-out}
WORK=${WORK:-/tmp/ldm-gpu}
mkdir -p "$OUT" "$WORK"
S="$OUT/summary.txt"
: > "$S"
t_start=$(date +%s)
say() { echo "$*" | tee -a "$S"; }
elapsed() { echo $(( $(date +%s) - t_start )); }
DEADLINE=${DEADLINE:-540}   # seconds: the run tool allows 600 per call; later steps are skipped past this
left() { local l=$(( DEADLINE - $(elapsed) )); [ $l -lt 5 ] && l=5; [ $l -lt ${1:-100000} ] && echo $l || echo ${1}; }
late() { [ $(elapsed) -ge $DEADLINE ]; }
stage() { say ""; say "== $* (at $(elapsed) s)"; }

if [ $DRY = 1 ]; then PY=${PY:-/usr/bin/python3}; GPU=cpu; STEPS=2; else PY=${PY:-python3}; GPU=gpu; STEPS=20; fi
export PYTHONUNBUFFERED=1

stage "machine"
say "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  mode: $([ $DRY = 1 ] && echo 'dry run (CPU)' || echo GPU)"
if command -v nvidia-smi >/dev/null; then
	say "card: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -1)"
else say "card: no nvidia-smi"; fi
[ -f /proc/driver/nvidia/version ] && say "driver: $(head -1 /proc/driver/nvidia/version)"
say "python: $($PY -c 'import sys,torch; print(sys.version.split()[0], "torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())' 2>&1)"
for tool in cmake ninja make g++ c++ gcc nvcc; do
	say "tool $tool: $(command -v $tool >/dev/null && ($tool --version 2>&1 | head -1) || echo 'not found')"
done

stage "Java runtime"
JAVA=""
if [ -f .gpu/jre.tar.xz ]; then
	rm -rf "$WORK/jre" && mkdir -p "$WORK/jre" && tar -xJf .gpu/jre.tar.xz -C "$WORK/jre"
	JAVA=$(find "$WORK/jre" -path '*/bin/java' -type f | head -1)
fi
if [ -z "$JAVA" ]; then say "no .gpu/jre.tar.xz: run gpu/prepare.sh here and carry .gpu"; exit 1; fi
JRE=$(dirname "$(dirname "$JAVA")")
say "java: $("$JAVA" -version 2>&1 | head -1)"

stage "DJL JNI glue: build started in the background (beside the Python checks)"
rm -f "$WORK/jni-path"
if [ -n "${JNI_PREBUILT:-}" ]; then echo "$JNI_PREBUILT" > "$WORK/jni-path"; : > "$OUT/jni-build.log"; jni_pid=""  # reuse a glue built earlier
else ( PY=$PY timeout $(left ${JNI_TIMEOUT:-420}) gpu/build_jni.sh "$WORK/jni-build" "$JRE" $(left ${JNI_TIMEOUT:-420}) \
	> "$WORK/jni-path" 2> "$OUT/jni-build.log" ) &
jni_pid=$!; fi

stage "Python checks (gpu/py_checks.py)"
dry=(); [ $DRY = 1 ] && dry=(--dry-run)
[ "${SKIP_PY:-0}" = 1 ] && { say "skipped (SKIP_PY=1)"; } || timeout $(left ${PY_TIMEOUT:-240}) $PY gpu/py_checks.py --work "$WORK" "${dry[@]}" > "$OUT/py.log" 2>&1
say "py_checks exit $? (log py.log)"
grep '^figure:' "$OUT/py.log" | sed 's/^figure: //' | tee -a "$S" >/dev/null
say "$(grep -c '^figure:' "$OUT/py.log" 2>/dev/null) Python figures"
tail -3 "$OUT/py.log" | grep -i -e error -e Traceback && tail -20 "$OUT/py.log" >> "$S"

stage "DJL JNI glue against this machine's libtorch"
TORCH_LIB=$($PY -c 'import os,torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
TORCH_CMAKE=$($PY -c 'import torch; print(torch.utils.cmake_prefix_path)')
TORCH_VERSION=$($PY -c 'import torch; print(torch.__version__.split("+")[0])')
CUDA_ON=$($PY -c 'import torch; print(1 if torch.version.cuda else 0)')
PT_VERSION=""; case "$TORCH_VERSION" in 1.13*|2.0.*|2.1.*) PT_VERSION=V1_13_X;; esac
[ -n "$jni_pid" ] && wait $jni_pid
GLUE=$(tail -1 "$WORK/jni-path" 2>/dev/null)
if [ -n "$GLUE" ] && [ -f "$GLUE" ]; then say "$(grep '^build_jni:' "$OUT/jni-build.log" | tr '\n' ' ')"
else GLUE=""; say "JNI glue NOT built (log jni-build.log):"; grep -e '^build_jni:' -e 'error' "$OUT/jni-build.log" | head -12 | cut -c1-300 | tee -a "$S" >/dev/null; fi

# DJL loads libtorch and libdjl_torch.so from PYTORCH_LIBRARY_PATH: a folder of links to torch's own libraries plus the glue
JCP=".gpu/classes.jar:.gpu/lib/*"
JENV=()
JOPTS=()
if [ -n "$GLUE" ]; then
	lt="$WORK/libtorch"; rm -rf "$lt"; mkdir -p "$lt"
	for f in "$TORCH_LIB"/*; do ln -s "$f" "$lt/"; done
	cp "$GLUE" "$lt/libdjl_torch.so"
	nv=$($PY -c 'import os,glob,torch; r=os.path.dirname(os.path.dirname(torch.__file__)); print(":".join(sorted({os.path.dirname(p) for p in glob.glob(r+"/nvidia/**/lib*.so*", recursive=True)})))' 2>/dev/null)
	flavor=cpu; [ "$CUDA_ON" = 1 ] && flavor=cu$($PY -c 'import torch; print(torch.version.cuda.replace(".", "")[:3])')
	JENV=(env PYTORCH_LIBRARY_PATH="$lt" PYTORCH_VERSION="$TORCH_VERSION" PYTORCH_FLAVOR="$flavor" LD_LIBRARY_PATH="$TORCH_LIB:$nv:${LD_LIBRARY_PATH:-}")
	JOPTS=(-Djna.library.path="$nv")  # DJL counts GPUs through libcudart, found by JNA
	say "libtorch for DJL: $lt (flavor $flavor)"
elif [ $DRY = 1 ]; then
	# the dry run still checks the Java steps, on DJL's CPU libtorch from the local Maven repository
	JCP="$JCP:$(ls ~/.m2/repository/ai/djl/pytorch/pytorch-native-cpu/*/pytorch-native-cpu-*-linux-x86_64.jar):$(ls ~/.m2/repository/ai/djl/pytorch/pytorch-jni/*/pytorch-jni-*.jar)"
	say "dry run: Java steps on DJL's CPU libtorch jar instead"
else
	say "no JNI glue: the Java steps are skipped. What remains to run: see README, 'GPU'"
	say "total $(elapsed) s"; exit 1
fi
ldm() { local t=$1; shift; "${JENV[@]}" timeout "$t" "$JAVA" -Xmx24g -Djava.awt.headless=true -Dai.djl.offline=true \
	-Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils=error "${JOPTS[@]}" \
	-cp "$JCP" org.ldmfiji.cli.Main "$@"; }

stage "Java CLI"
J="$OUT/java.log"; : > "$J"
run() { local name=$1 t=$2; shift 2; echo "---- $name: $*" >> "$J"
	if late; then say "$name: skipped (past the ${DEADLINE} s deadline)"; return 1; fi; t=$(left $t); local t0=$(date +%s%N)
	ldm "$t" "$@" >> "$J" 2>&1; local rc=$?; local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	say "$name: exit $rc, $ms ms"; return $rc; }
run "info --device $GPU" 60 info --device $GPU && grep -e '^engine' -e '^device' -e '^driver' -e '^cuda' -e '^flavour' -e '^to use' "$J" | tee -a "$S" >/dev/null
img=models/demo/samples/cells-16bit.tif
$PY -c "import numpy as n,tifffile as t; m=n.zeros((256,256),n.uint8); m[96:160,80:176]=255; t.imwrite('$WORK/mask.tif', m)"
rm -f "$WORK"/inpaint-*.tif "$WORK"/superres-*.tif "$WORK"/sample-*.tif
for dev in $GPU cpu $GPU; do
	tag=$dev; [ -f "$WORK/inpaint-$dev.tif" ] && tag=$dev-rerun
	run "inpaint $tag" 240 inpaint --input $img --mask "$WORK/mask.tif" --output "$WORK/inpaint-$tag.tif" --seed 1 --steps $STEPS --device $dev
	run "superres $tag" 240 superres --input $img --output "$WORK/superres-$tag.tif" --seed 1 --steps $STEPS --device $dev
	run "sample $tag" 240 sample --width 384 --height 320 --output "$WORK/sample-$tag.tif" --seed 1 --steps $STEPS --device $dev
	[ $DRY = 1 ] && [ $dev = cpu ] && break
done
$PY - "$WORK" "$GPU" <<'PYEOF' | tee -a "$S"
import os, sys, numpy as np, tifffile
w, gpu = sys.argv[1], sys.argv[2]
for task in ("inpaint", "superres", "sample"):
    p = lambda tag: os.path.join(w, f"{task}-{tag}.tif")
    if not (os.path.exists(p(gpu)) and os.path.exists(p("cpu"))):
        print(f"{task}: outputs missing"); continue
    a, b = tifffile.imread(p(gpu)).astype(np.float64), tifffile.imread(p("cpu")).astype(np.float64)
    rng = max(b.max() - b.min(), 1e-12)
    d = np.abs(a - b).max() / rng
    print(f"{task}: {gpu} vs cpu max diff / range = {d:.3g} ({'within' if d <= 1e-3 else 'OVER'} 1e-3), shape {a.shape}")
    if os.path.exists(p(gpu + "-rerun")):
        r = tifffile.imread(p(gpu + "-rerun")).astype(np.float64)
        print(f"{task}: {gpu} rerun bit-identical = {np.array_equal(a, r)}, spread / range = {np.abs(a - r).max() / rng:.3g}")
PYEOF

stage "Java bench (compare with the Python loop figures above)"
reps=5; warm=3; [ $DRY = 1 ] && { reps=1; warm=0; }
for model in demo "$WORK/bsr_sr" "$WORK/bsr_sr-bf16"; do
	[ "$model" = demo ] || [ -f "$model/model.json" ] || continue
	size=256; [ "$model" = demo ] || size=512; [ $DRY = 1 ] && size=64
	echo "---- bench $model" >> "$J"
	if late; then say "bench $(basename "$model"): skipped (past the ${DEADLINE} s deadline)"; continue; fi
	ldm $(left 150) bench --model "$model" --device $GPU --task superres --size $size --steps $([ $DRY = 1 ] && echo 2 || echo 10) \
		--repeats $reps --warmup $warm > "$OUT/bench.tmp" 2>&1; rc=$?
	cat "$OUT/bench.tmp" >> "$J"
	say "bench $(basename "$model") superres ${size}px: exit $rc"; grep -v '^\s*$' "$OUT/bench.tmp" | tail -4 | tee -a "$S" >/dev/null
done
rm -f "$OUT/bench.tmp"
say ""
say "total $(elapsed) s; logs: py.log jni-build.log java.log; figures: $WORK/py_figures.json"
cp "$WORK/py_figures.json" "$OUT/" 2>/dev/null
exit 0
