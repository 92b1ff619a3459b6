#!/usr/bin/env bash
# Inception-ResNet-v2, batch 8: this project's engines and precisions beside timm's peer rows, in
# interleaved rounds on one machine (absolute figures move between runs; read the ratios).
#
#   docs/bench/side-by-side.sh [ROUNDS] > results.txt
#
# Environment: JAR (default pipeline/target/inception-pipeline.jar), THREADS (2), SECONDS_PER_ROW
# (20), CALIBRATION (int8 calibration images, default samples/fashion-mnist/images), and for the
# peer rows PEER (a copy of the team's torch_peer.py) and TIMM_SRC (a timm source tree), run with
# Debian's /usr/bin/python3 (python3-torch); without PEER the peer rows are skipped.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-2}
JAR=${JAR:-pipeline/target/inception-pipeline.jar}
THREADS=${THREADS:-2}
SECONDS_PER_ROW=${SECONDS_PER_ROW:-20}
CALIBRATION=${CALIBRATION:-samples/fashion-mnist/images}
echo "# $(date -u +%FT%TZ) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs), $(nproc) processors"
echo "# extensions: $(grep -o -w -E 'avx2|avx512f|avx512_vnni|avx_vnni|avx512_bf16|amx_tile' /proc/cpuinfo | sort -u | xargs)"
row() { # name, then the bench arguments
  local name=$1; shift
  local line
  line=$(java -jar "$JAR" bench --model inception_resnet_v2 --batch-sizes 8 --threads "$THREADS" \
    --min-seconds "$SECONDS_PER_ROW" --min-images 16 "$@" 2>/dev/null | tail -1)
  echo "$name | $line"
}
peer() {
  [ -n "${PEER:-}" ] || return 0
  echo "timm $1 | $(/usr/bin/python3 "$PEER" --timm-src "$TIMM_SRC" --batch 8 --iters 5 \
    --threads "$THREADS" --mode "$1" 2>/dev/null | tail -1)"
}
for round in $(seq 1 "$ROUNDS"); do
  echo "## round $round"
  row "onnxruntime fp32" --engine onnxruntime
  row "onnxruntime int8" --engine onnxruntime --precision int8 --calibration "$CALIBRATION" --calibration-count 64
  peer fp32cl
  peer bf16cl
  [ "${WITH_DJL:-0}" = 1 ] && row "mxnet fp32" --engine mxnet
  peer fp32
done
