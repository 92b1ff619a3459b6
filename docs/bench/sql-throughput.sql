-- SQL vs DataStream throughput (docs/benchmarks.md): docs/sql.md's example without the refused
-- request, with scored_at, printing every prediction's scoring time. Run with
-- sql --file docs/bench/sql-throughput.sql --embedded-kafka --topic image-requests
--   --topic image-predictions --publish-samples --avro --count 2000
-- Requests: the Kafka values the DataStream job reads, Avro single-object ScoringRequests or
-- plain-text URIs, keyed by request id. Bounded at the offsets present when the query starts.
CREATE TABLE requests (
  request_key STRING,
  request BYTES
) WITH (
  'connector' = 'kafka',
  'topic' = 'image-requests',
  'properties.bootstrap.servers' = '${bootstrap}',
  'properties.group.id' = 'sql-example',
  'scan.startup.mode' = 'earliest-offset',
  'scan.bounded.mode' = 'latest-offset',
  'key.format' = 'raw',
  'key.fields' = 'request_key',
  'value.format' = 'raw',
  'value.fields-include' = 'EXCEPT_KEY'
);

CREATE MODEL fashion
  INPUT (request BYTES)
  OUTPUT (request_id STRING, label STRING, class_index INT, score FLOAT,
          top_k ARRAY<ROW<idx INT, label STRING, score FLOAT>>, error STRING, error_code STRING,
          scored_at TIMESTAMP_LTZ(3))
  WITH ('provider' = 'inception', 'model' = 'inception_resnet_fmnist',
        'allowed-root' = '${images}', 'batch-size' = '32', 'max-batch-delay-ms' = '100');

CREATE TABLE predictions (
  request_key STRING,
  request_id STRING,
  label STRING,
  class_index INT,
  score FLOAT,
  top_k ARRAY<ROW<idx INT, label STRING, score FLOAT>>,
  error STRING,
  error_code STRING,
  scored_at TIMESTAMP(3) -- the avro format has no TIMESTAMP_LTZ
) WITH (
  'connector' = 'kafka',
  'topic' = 'image-predictions',
  'properties.bootstrap.servers' = '${bootstrap}',
  'properties.group.id' = 'sql-example',
  'scan.startup.mode' = 'earliest-offset',
  'scan.bounded.mode' = 'latest-offset',
  'key.format' = 'raw',
  'key.fields' = 'request_key',
  'value.format' = 'avro',
  'value.fields-include' = 'EXCEPT_KEY'
);

-- Up to 64 rows in flight per parallel instance, so that batches of 32 can fill.
INSERT INTO predictions
SELECT request_key, request_id, label, class_index, score, top_k, error, error_code,
       CAST(scored_at AS TIMESTAMP(3))
FROM ML_PREDICT(TABLE requests, MODEL fashion, DESCRIPTOR(request),
                MAP['max-concurrent-operations', '64']);

SELECT request_key, error_code, scored_at FROM predictions;
