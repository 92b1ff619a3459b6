package io.inceptionpipeline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionpipeline.schemas.AvroCodec;
import io.inceptionpipeline.schemas.ScoringRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, item 9: the embedded broker {@code local} starts takes a request carrying an inline
 * image as large as the job's default image cap (32 MiB): a 20 MiB image used to fail in the
 * producer with RecordTooLargeException against the fixed 16 MiB broker limit.
 */
class InlineImageSizeITCase {

    @TempDir Path work;

    @Test
    void aBrokerSizedForTheImageCapTakesA20MiBInlineImage() throws Exception {
        long cap = 32L << 20; // --max-image-bytes' default
        int messageBytes = EmbeddedKafka.maxMessageBytes(cap);
        assertThat(messageBytes).isGreaterThan((int) cap);
        assertThat(EmbeddedKafka.sizedFor(cap))
                .containsEntry("message.max.bytes", Integer.toString(messageBytes));
        assertThatThrownBy(() -> EmbeddedKafka.maxMessageBytes(Long.MAX_VALUE / 2))
                .hasMessageContaining("does not fit a Kafka message");

        byte[] image = new byte[20 << 20];
        image[image.length - 1] = 42;
        byte[] request =
                AvroCodec.encode(
                        ScoringRequest.newBuilder()
                                .setRequestId("inline-20mib")
                                .setUri("")
                                .setImage(ByteBuffer.wrap(image))
                                .build());
        try (EmbeddedKafka kafka =
                EmbeddedKafka.start(work.resolve("kafka"), EmbeddedKafka.sizedFor(cap))) {
            kafka.createTopics(
                    1, Map.of("max.message.bytes", Integer.toString(messageBytes)), "requests");
            List<byte[][]> messages = new java.util.ArrayList<>();
            messages.add(new byte[][] {"inline-20mib".getBytes(StandardCharsets.UTF_8), request});
            KafkaTestClient.produce(
                    kafka.bootstrapServers(),
                    "requests",
                    messages,
                    Map.of("max.request.size", Integer.toString(messageBytes)));
            List<ConsumerRecord<byte[], byte[]>> read =
                    RunSummary.readAll(kafka.bootstrapServers(), "requests", Map.of());
            assertThat(read).hasSize(1);
            ScoringRequest back = AvroCodec.decodeRequest(read.get(0).value());
            assertThat(back.getImage().remaining()).isEqualTo(image.length);
            assertThat(back.getImage().get(image.length - 1)).isEqualTo((byte) 42);
        }
    }
}
