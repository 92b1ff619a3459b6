#!/bin/bash
# archive-scale.sh JAR N LABEL: one timed `archive` run over N cycled Fashion-MNIST PNGs (inception_resnet_fmnist).
# Prints: wall, peak RSS (/usr/bin/time -v), peak bytes under java.io.tmpdir (du -sb each second),
# seconds from launch to the first progress line with an answer, and the CLI's own summary.
# JAVA_OPTS (e.g. -Xmx512m) go to the JVM. Run it under `flock -x /tmp/cpu.lock` on a shared machine.
set -u
JAR=$1; N=$2; LABEL=$3
IMAGES=$(cd "$(dirname "$0")/../.." && pwd)/samples/fashion-mnist/images
D=${BENCH_DIR:-/tmp/archive-bench}/$LABEL-$N
rm -rf "$D"; mkdir -p "$D/tmp"
ls "$IMAGES" | sort > "$D/images.txt"
awk -v n="$N" -v dir="$IMAGES" 'BEGIN{print "id,uri"} {img[NR-1]=$0} END{for(i=0;i<n;i++) printf "item-%d,file://%s/%s\n", i, dir, img[i%NR]}' "$D/images.txt" > "$D/manifest.csv"
( peak=0; while [ ! -f "$D/stop" ]; do b=$(du -sb "$D/tmp" 2>/dev/null | cut -f1); [ "${b:-0}" -gt "$peak" ] && peak=$b; echo "$peak" > "$D/tmp-peak"; sleep 1; done ) &
SAMPLER=$!
START=$(date +%s.%N)
/usr/bin/time -v -o "$D/time.txt" java ${JAVA_OPTS:-} -Djava.io.tmpdir="$D/tmp" -Dai.djl.offline=true -jar "$JAR" archive \
  --input "$D/manifest.csv" --output-dir "$D/out" --allowed-root "$IMAGES" \
  --model inception_resnet_fmnist --no-embeddings > "$D/stdout.txt" \
  2> >(while IFS= read -r l; do echo "$(date +%s.%N) $l"; done > "$D/stderr.ts")
RC=$?
touch "$D/stop"; wait $SAMPLER; sleep 1
FIRST=$(grep -m1 -E '\] [1-9][0-9]*/' "$D/stderr.ts" | cut -d' ' -f1)
WALL=$(grep "Elapsed (wall" "$D/time.txt" | awk '{print $NF}')
RSS=$(grep "Maximum resident" "$D/time.txt" | awk '{print $NF}')
echo "label=$LABEL n=$N rc=$RC wall=$WALL peak_rss_kb=$RSS tmp_peak_bytes=$(cat $D/tmp-peak) first_prediction_s=$(echo "$FIRST - $START" | bc) $(grep 'answered in' $D/stdout.txt)"
