package io.inceptionpipeline.operators.records;

import java.util.Map;

/**
 * A request once read from Kafka: what to score and where the request came from. A Flink POJO
 * (public fields, no-arg constructor), so it travels through the job without Kryo.
 */
public class ImageRequest {
    /** Producer's id, or {@code topic-partition-offset} for plain-text requests without a key. */
    public String requestId;

    /** The image URI; {@code inline:} when the image came inline. */
    public String uri;

    /** Inline image bytes, or null. */
    public byte[] inlineImage;

    /** Producer attributes, or null. */
    public Map<String, String> attributes;

    /** Producer's event time in epoch ms, or -1. */
    public long eventTimeMs = -1;

    /** Kafka position of the request, for dead letters. */
    public String topic;

    public int partition = -1;
    public long offset = -1;

    /** Processing time when the job read it, epoch ms. */
    public long receivedAtMs;

    public ImageRequest() {}

    @Override
    public String toString() {
        return "ImageRequest[" + requestId + ", " + uri + "]";
    }
}
