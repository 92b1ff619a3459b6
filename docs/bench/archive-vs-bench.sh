#!/bin/bash
# archive-vs-bench.sh JAR N ROUNDS [MODEL] [BATCH]: `archive` against `bench` at the same batch size,
# alternated: bench, archive, bench, archive, ..., bench (ROUNDS archives, ROUNDS+1 benches).
# The archive runs over N manifest lines cycling the photos in samples/images, no embeddings.
# For each archive, prints the benches before and after it, its rate from the first answer to the
# last (the CLI's summary) and the ratio to the mean of the two benches; then the mean ratio.
# The machine's speed can drift within minutes (on a VM, steal time): read the ratios, not the
# absolute rates. Defaults: MODEL inception_resnet_v2, BATCH 8; BENCH_SECONDS (default 40) per bench.
# JAVA_OPTS go to both JVMs, ARCHIVE_OPTS to archive only (e.g. "--inference-parallelism 2").
# Run it under `flock -x /tmp/cpu.lock` on a shared machine.
set -u
JAR=$1; N=$2; ROUNDS=$3; MODEL=${4:-inception_resnet_v2}; BATCH=${5:-8}
IMAGES=$(cd "$(dirname "$0")/../.." && pwd)/samples/images
D=${BENCH_DIR:-/tmp/archive-vs-bench}
rm -rf "$D"; mkdir -p "$D"
ls "$IMAGES" | grep -iE '\.(jpe?g|png)$' | sort > "$D/images.txt"
awk -v n="$N" -v dir="$IMAGES" 'BEGIN{print "id,uri"} {img[NR-1]=$0} END{for(i=0;i<n;i++) printf "photo-%d,file://%s/%s\n", i, dir, img[i%NR]}' "$D/images.txt" > "$D/manifest.csv"
J="java ${JAVA_OPTS:-} -Dai.djl.offline=true -jar $JAR"

bench() {
  $J bench --model "$MODEL" --batch-sizes "$BATCH" --min-seconds "${BENCH_SECONDS:-40}" > "$D/bench-$1.txt" 2>&1
  # the table row: | batch | images | seconds | images/s | ...
  awk -F'|' -v b="$BATCH" '$2+0 == b && NF > 5 {gsub(/ /, "", $5); print $5}' "$D/bench-$1.txt" | tail -1
}

archive() {
  rm -rf "$D/out"
  $J archive --input "$D/manifest.csv" --output-dir "$D/out" --allowed-root "$IMAGES" \
    --model "$MODEL" --batch-size "$BATCH" --no-embeddings ${ARCHIVE_OPTS:-} > "$D/archive-$1.txt" 2>/dev/null
  sed -n 's/.*; \([0-9.]*\) images\/s from the first answer to the last.*/\1/p' "$D/archive-$1.txt" | tail -1
}

echo "| round | start (UTC) | bench before | archive | bench after | ratio |"
echo "|---:|---|---:|---:|---:|---:|"
before=$(bench 0)
sum=0
for r in $(seq 1 "$ROUNDS"); do
  start=$(date -u +%H:%M)
  rate=$(archive "$r")
  after=$(bench "$r")
  if [ -z "$before" ] || [ -z "$rate" ] || [ -z "$after" ]; then
    echo "round $r failed: see $D/bench-$((r - 1)).txt, $D/archive-$r.txt, $D/bench-$r.txt" >&2
    exit 1
  fi
  ratio=$(awk -v r="$rate" -v a="$before" -v b="$after" 'BEGIN{printf "%.3f", 2 * r / (a + b)}')
  sum=$(awk -v s="$sum" -v r="$ratio" 'BEGIN{print s + r}')
  echo "| $r | $start | $before | $rate | $after | $ratio |"
  before=$after
done
echo "mean ratio $(awk -v s="$sum" -v n="$ROUNDS" 'BEGIN{printf "%.3f", s / n}') over $ROUNDS rounds ($MODEL, batch $BATCH, $N lines)"
