#!/usr/bin/env bash
# Scaling benchmark of the Spark application: the same folder of images super-resolved on a standalone Spark
# cluster on this machine (master and one worker on 127.0.0.1) with 1 and then 2 executors of one core each (PyTorch
# limited to one thread per executor, so executors are the only parallelism). Prints the time, throughput and
# scaling efficiency. Usage: spark/bench.sh [IMAGES (default 8)] [SIDE px (default 64)] [STEPS (default 10)]
set -euo pipefail
home=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
images=${1:-8} side=${2:-64} steps=${3:-10}
jar="$home/spark/target/ldm-spark.jar"
[ -f "$jar" ] || { echo "bench: build first (mvn verify, or ./ldm spark --help)" >&2; exit 1; }
cp="$jar:$(cat "$home/spark/target/spark.classpath")"
opts=$(cat "$home/spark/jvm.options")
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work/in"
java -Djava.awt.headless=true -cp "$jar" "$home/spark/bench/MakeImages.java" "$work/in" "$images" "$side"
export SPARK_HOME="$work/spark-home" SPARK_SCALA_VERSION=2.12
mkdir -p "$SPARK_HOME/jars"
for j in $(tr ':' ' ' < "$home/spark/target/spark.classpath"); do ln -sf "$j" "$SPARK_HOME/jars/"; done
port=$((20000 + RANDOM % 20000))
java -Xmx512m $opts -cp "$cp" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port $port --webui-port $((port + 1)) \
	> "$work/master.log" 2>&1 & pids+=($!)
sleep 4
java -Xmx512m $opts -cp "$cp" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 2 --memory 6g \
	--work-dir "$work/worker" --webui-port $((port + 2)) spark://127.0.0.1:$port > "$work/worker.log" 2>&1 & pids+=($!)
sleep 4
declare -A secs
for n in 1 2; do
	line=$(java -Xmx2g $opts -Djava.awt.headless=true -Dspark.cores.max=$n -Dspark.executor.cores=1 -Dspark.executor.memory=2g \
		"-Dspark.executor.extraJavaOptions=-Dai.djl.offline=true -Djava.awt.headless=true -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1" \
		-cp "$cp" org.ldmfiji.spark.SparkMain superres --input "$work/in" --output "$work/out$n" --steps "$steps" \
		--model "$home/models/demo" --master spark://127.0.0.1:$port 2>/dev/null | grep "unit(s) computed")
	s=$(echo "$line" | sed -E 's/.*; ([0-9.]+) s; output.*/\1/')
	secs[$n]=$s
	echo "bench: $n executor(s): $images images ${side}x${side} at $steps steps in $s s, $(awk "BEGIN{printf \"%.3f\", $images/$s}") images/s"
done
awk "BEGIN{printf \"bench: speed-up %.2f with 2 executors, scaling efficiency %.0f %% (machine shared with other work: %s cores)\n\", ${secs[1]}/${secs[2]}, 50*${secs[1]}/${secs[2]}, $(nproc)}"
cmp -s <(cd "$work/out1" && cat *.tif | sha256sum) <(cd "$work/out2" && cat *.tif | sha256sum) \
	&& echo "bench: results with 1 and 2 executors identical" || echo "bench: results with 1 and 2 executors DIFFER"
