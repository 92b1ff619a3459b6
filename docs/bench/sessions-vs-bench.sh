#!/bin/bash
# sessions-vs-bench.sh JAR N ROUNDS: rounds of `bench` (one session, --threads 0), `archive` with one
# inference subtask, `archive --inference-parallelism 2`, and two `bench --threads 1` at once (the raw
# rate of two one-thread sessions), Inception-ResNet-v2 at batch 8 over N manifest lines cycling the
# photos in samples/images; then one more `bench`. Prints one line per run (images/s; for the
# archives, from the first answer to the last). Run it under `flock -x /tmp/cpu.lock` on a shared
# machine; read each round's ratios, not the absolute rates (a VM's speed drifts within minutes).
set -u
JAR=$1; N=$2; ROUNDS=$3
IMAGES=$(cd "$(dirname "$0")/../.." && pwd)/samples/images
D=${BENCH_DIR:-/tmp/sessions-vs-bench}
rm -rf "$D"; mkdir -p "$D"
ls "$IMAGES" | grep -iE '\.(jpe?g|png)$' | sort > "$D/images.txt"
awk -v n="$N" -v dir="$IMAGES" 'BEGIN{print "id,uri"} {img[NR-1]=$0} END{for(i=0;i<n;i++) printf "photo-%d,file://%s/%s\n", i, dir, img[i%NR]}' "$D/images.txt" > "$D/manifest.csv"
J="java ${JAVA_OPTS:-} -Dai.djl.offline=true -jar $JAR"
bench() {
  $J bench --model inception_resnet_v2 --batch-sizes 8 --min-seconds "${BENCH_SECONDS:-40}" $1 > "$D/$2.txt" 2>&1
  awk -F'|' '$2+0 == 8 && NF > 5 {gsub(/ /, "", $5); print $5}' "$D/$2.txt" | tail -1
}
archive() {
  rm -rf "$D/out-$2"
  $J archive --input "$D/manifest.csv" --output-dir "$D/out-$2" --allowed-root "$IMAGES" \
    --model inception_resnet_v2 --batch-size 8 --no-embeddings $1 > "$D/$2.txt" 2>&1
  sed -n 's/.*; \([0-9.]*\) images\/s from the first answer to the last.*/\1/p' "$D/$2.txt" | tail -1
}
for r in $(seq 1 "$ROUNDS"); do
  echo "$r $(date -u +%H:%M) bench $(bench '' b-$r)"
  echo "$r $(date -u +%H:%M) archive $(archive '' a1-$r)"
  echo "$r $(date -u +%H:%M) archive --inference-parallelism 2 $(archive '--inference-parallelism 2' a2-$r)"
  bench '--threads 1' bb-$r-a > "$D/x1" & bench '--threads 1' bb-$r-b > "$D/x2"; wait
  echo "$r $(date -u +%H:%M) two bench --threads 1 at once $(cat "$D/x1") + $(cat "$D/x2")"
done
echo "$(date -u +%H:%M) bench $(bench '' b-$((ROUNDS + 1)))"
