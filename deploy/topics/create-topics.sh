#!/usr/bin/env bash
# Creates the job's three topics on any Kafka with kafka-topics.sh (Kafka's own CLI; the
# apache/kafka image has it under /opt/kafka/bin). The same topics as
# deploy/kubernetes/kafka-topics.yaml (Strimzi); DeployManifestsTest checks both.
#
#   create-topics.sh BOOTSTRAP_SERVERS [REPLICATION_FACTOR] [-- kafka-topics.sh options]
#   create-topics.sh kafka:19092 1                                     # the compose cluster
#   create-topics.sh broker:9093 3 -- --command-config client.properties   # SASL_SSL
#
# Partitions bound the useful --fetch-parallelism (one Kafka source reader per partition).
set -euo pipefail

bootstrap=${1:?usage: create-topics.sh BOOTSTRAP_SERVERS [REPLICATION_FACTOR] [-- options]}
replicas=${2:-3}
shift $(( $# >= 2 ? 2 : 1 ))
if [ "${1:-}" = "--" ]; then shift; fi
extra=("$@")

kafka_topics=$(command -v kafka-topics.sh || echo /opt/kafka/bin/kafka-topics.sh)
# min.insync.replicas above the replication factor would refuse every acks=all write.
min_isr=$(( replicas < 2 ? 1 : 2 ))

create() {
  local name=$1 partitions=$2
  shift 2
  "$kafka_topics" --bootstrap-server "$bootstrap" "${extra[@]}" --create --if-not-exists \
    --topic "$name" --partitions "$partitions" --replication-factor "$replicas" \
    --config min.insync.replicas="$min_isr" "$@"
}

create image-requests 12 --config retention.ms=604800000
create image-predictions 12 --config retention.ms=604800000 --config compression.type=zstd
create image-dead-letters 3 --config retention.ms=2592000000

"$kafka_topics" --bootstrap-server "$bootstrap" "${extra[@]}" --describe \
  --topic 'image-(requests|predictions|dead-letters)'
