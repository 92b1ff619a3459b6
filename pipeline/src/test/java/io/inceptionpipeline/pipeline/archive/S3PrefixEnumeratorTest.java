package io.inceptionpipeline.pipeline.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionpipeline.pipeline.S3TestServer;
import io.inceptionpipeline.pipeline.archive.S3KeysSplit.ListedKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The S3 prefix source's enumerator against a real S3 API (s3proxy), driven through Flink's own
 * testing enumerator context: 50 objects listed 7 keys a page, handed to two readers exactly once,
 * answered ids left out, and a checkpoint taken in the middle of the listing restored.
 */
class S3PrefixEnumeratorTest {

    static final String BUCKET = "listing";
    static final int PAGE = 7;
    static final int KEYS_PER_SPLIT = 3;
    static final int READERS = 2;

    @TempDir static Path work;
    static S3TestServer s3;
    static List<String> keys = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        s3 = S3TestServer.start(Files.createDirectories(work.resolve("s3")));
        s3.createBucket(BUCKET);
        byte[] bytes = "x".getBytes(StandardCharsets.UTF_8);
        try (S3Client client = s3.client()) { // one client for all uploads
            for (int i = 0; i < 50; i++) {
                String key = String.format("fm/img %02d.png", i); // a space: ids are encoded URIs
                keys.add(key);
                client.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(bytes));
            }
            // A "folder" placeholder, not an image; and an object outside the prefix.
            client.putObject(b -> b.bucket(BUCKET).key("fm/folder/"), RequestBody.empty());
            client.putObject(
                    b -> b.bucket(BUCKET).key("other/outside.png"), RequestBody.fromBytes(bytes));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    /** The enumerator and the context it runs in. */
    record Driven(MockSplitEnumeratorContext<S3KeysSplit> context, S3PrefixEnumerator enumerator) {}

    static Driven enumerator(Set<String> answered, S3PrefixEnumerator.State state)
            throws java.io.IOException {
        MockSplitEnumeratorContext<S3KeysSplit> context = new MockSplitEnumeratorContext<>(READERS);
        for (int reader = 0; reader < READERS; reader++) {
            context.registerReader(new ReaderInfo(reader, "localhost"));
        }
        S3PrefixEnumerator enumerator =
                new S3PrefixEnumerator(
                        context,
                        new S3Listing(s3.client(), BUCKET, "fm/", PAGE),
                        BUCKET,
                        AnsweredIds.of(answered),
                        "enumerator-test",
                        PAGE,
                        KEYS_PER_SPLIT,
                        state);
        enumerator.start();
        return new Driven(context, enumerator);
    }

    /**
     * Readers ask in turn and the coordinator runs each listing call, until every reader is told
     * the end or {@code maxSplits} splits were handed out; returns the number of listing calls.
     * Checks after each step that the enumerator holds less than two pages.
     */
    static int drive(Driven driven, int maxSplits) throws Throwable {
        int calls = 0;
        while (driven.context.getSplitsAssignmentSequence().size() < maxSplits) {
            boolean asked = false;
            for (int reader = 0; reader < READERS; reader++) {
                if (!driven.context.hasNoMoreSplits(reader)) {
                    driven.enumerator.handleSplitRequest(reader, "localhost");
                    asked = true;
                }
            }
            while (!driven.context.getOneTimeCallables().isEmpty()) {
                driven.context.runNextOneTimeCallable();
                calls++;
            }
            assertThat(driven.enumerator.snapshotState(0).unassigned()).hasSizeLessThan(2 * PAGE);
            if (!asked) {
                break;
            }
        }
        return calls;
    }

    static List<ListedKey> assigned(Driven driven) {
        List<ListedKey> listed = new ArrayList<>();
        for (SplitsAssignment<S3KeysSplit> assignment :
                driven.context.getSplitsAssignmentSequence()) {
            assignment.assignment().values().forEach(s -> s.forEach(x -> listed.addAll(x.keys())));
        }
        return listed;
    }

    static List<String> keysOf(List<ListedKey> listed) {
        return listed.stream().map(ListedKey::key).toList();
    }

    @Test
    void listsPageByPageAndHandsEveryObjectOutOnce() throws Throwable {
        Driven driven = enumerator(Set.of(), S3PrefixEnumerator.State.initial());
        int calls = drive(driven, Integer.MAX_VALUE);

        List<ListedKey> listed = assigned(driven);
        assertThat(keysOf(listed)).containsExactlyElementsOf(keys); // in order, each once
        assertThat(calls).as("listing calls").isGreaterThanOrEqualTo(50 / PAGE + 1);
        assertThat(listed).allSatisfy(k -> assertThat(k.position()).isBetween(1L, 51L));
        assertThat(listed.stream().map(ListedKey::position).distinct()).hasSize(50);
        for (int reader = 0; reader < READERS; reader++) {
            assertThat(driven.context.hasNoMoreSplits(reader)).isTrue();
        }
        S3PrefixEnumerator.State end = driven.enumerator.snapshotState(1);
        assertThat(end.complete()).isTrue();
        assertThat(end.listedKeys()).isEqualTo(50);
        assertThat(end.unassigned()).isEmpty();
        driven.enumerator.close();
        driven.context.close();
    }

    @Test
    void leavesOutIdsAnsweredByAnEarlierRun() throws Throwable {
        Set<String> answered =
                keys.subList(0, 20).stream()
                        .map(k -> S3Listing.uri(BUCKET, k))
                        .collect(Collectors.toSet());
        Driven driven = enumerator(answered, S3PrefixEnumerator.State.initial());
        drive(driven, Integer.MAX_VALUE);

        assertThat(keysOf(assigned(driven))).containsExactlyElementsOf(keys.subList(20, 50));
        S3PrefixEnumerator.State end = driven.enumerator.snapshotState(1);
        assertThat(end.listedKeys()).isEqualTo(50);
        assertThat(end.answeredKeys()).isEqualTo(20);
        driven.enumerator.close();
        driven.context.close();
    }

    @Test
    void aCheckpointInTheMiddleOfTheListingRestoresAndListsOn() throws Throwable {
        Driven first = enumerator(Set.of(), S3PrefixEnumerator.State.initial());
        int callsBefore = drive(first, 4);
        S3PrefixEnumerator.State state = first.enumerator.snapshotState(7);
        List<ListedKey> handedBefore = assigned(first);
        first.enumerator.close();
        first.context.close();
        assertThat(state.complete()).as("checkpoint before the listing's end").isFalse();
        assertThat(state.nextToken()).isNotNull();
        assertThat(handedBefore).hasSize(4 * KEYS_PER_SPLIT);

        // What a checkpoint stores, read back.
        S3PrefixEnumerator.StateSerializer serializer = S3PrefixEnumerator.StateSerializer.INSTANCE;
        S3PrefixEnumerator.State restored =
                serializer.deserialize(serializer.getVersion(), serializer.serialize(state));
        assertThat(restored).isEqualTo(state);

        Driven second = enumerator(Set.of(), restored);
        int callsAfter = drive(second, Integer.MAX_VALUE);
        List<String> all = new ArrayList<>(keysOf(handedBefore));
        all.addAll(keysOf(assigned(second)));
        assertThat(all).containsExactlyElementsOf(keys);
        assertThat(callsBefore + callsAfter)
                .as("the restored enumerator lists on, not from the start")
                .isLessThanOrEqualTo(50 / PAGE + 2);
        assertThat(second.enumerator.snapshotState(8).listedKeys()).isEqualTo(50);
        second.enumerator.close();
        second.context.close();
    }

    @Test
    void splitsSurviveTheirSerializer() throws Exception {
        S3KeysSplit split =
                new S3KeysSplit(
                        "keys-3",
                        List.of(new ListedKey(7, "fm/ä b.png"), new ListedKey(9, "x".repeat(900))));
        S3KeysSplit.Serializer serializer = S3KeysSplit.Serializer.INSTANCE;
        assertThat(serializer.deserialize(1, serializer.serialize(split))).isEqualTo(split);
        assertThat(split.remaining(1).keys()).containsExactly(split.keys().get(1));
    }
}
