package io.inceptionpipeline.operators.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpServer;
import io.inceptionpipeline.operators.records.FetchedImage;
import io.inceptionpipeline.operators.records.ImageRequest;
import io.inceptionpipeline.schemas.ErrorCode;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link FetchFunction} in Flink's async operator, with a resolver that hangs for one name: the
 * task thread never waits on DNS, other records keep flowing, a checkpoint completes while the
 * lookup hangs, and the hung fetch ends as one TIMEOUT within the fetch deadline.
 */
class FetchFunctionTest {

    /** Never released while the test runs: the lookup of {@code hang.test} hangs. */
    static final CountDownLatch NEVER = new CountDownLatch(1);

    static HttpServer server;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(
                "/image.jpg",
                ex -> {
                    ex.sendResponseHeaders(200, 10);
                    try (OutputStream out = ex.getResponseBody()) {
                        out.write(new byte[10]);
                    }
                });
        server.start();
        port = server.getAddress().getPort();
    }

    @AfterAll
    static void stop() {
        NEVER.countDown();
        server.stop(0);
    }

    static InetAddress[] resolve(String host) throws UnknownHostException {
        if (host.equals("hang.test")) {
            try {
                NEVER.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new UnknownHostException(host);
        }
        return new InetAddress[] {InetAddress.getByName("127.0.0.1")};
    }

    private static ImageRequest request(String id, String host) {
        ImageRequest request = new ImageRequest();
        request.requestId = id;
        request.uri = "http://" + host + ":" + port + "/image.jpg";
        return request;
    }

    /** Runs the operator's pending mails (completed fetches) until {@code count} are out. */
    private static void awaitOutputs(
            OneInputStreamOperatorTestHarness<ImageRequest, FetchedImage> harness, int count)
            throws Exception {
        TaskMailbox mailbox = harness.getTaskMailbox();
        while (harness.extractOutputValues().size() < count) {
            Optional<Mail> mail = mailbox.tryTake(TaskMailbox.MIN_PRIORITY);
            if (mail.isPresent()) {
                mail.get().run();
            } else {
                Thread.sleep(10);
            }
        }
    }

    @Test
    void aHangingResolverCostsOneTimeoutAndStallsNothing() {
        FetchConfig config =
                FetchConfig.defaults()
                        .withAllowedHosts(List.of("127.0.0.1:" + port))
                        .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2));
        assertTimeoutPreemptively(
                Duration.ofSeconds(30),
                () -> {
                    AsyncWaitOperatorFactory<ImageRequest, FetchedImage> factory =
                            new AsyncWaitOperatorFactory<>(
                                    new FetchFunction(config, FetchFunctionTest::resolve),
                                    60_000,
                                    10,
                                    AsyncDataStream.OutputMode.UNORDERED);
                    try (OneInputStreamOperatorTestHarness<ImageRequest, FetchedImage> harness =
                            new OneInputStreamOperatorTestHarness<>(
                                    factory,
                                    TypeInformation.of(ImageRequest.class)
                                            .createSerializer(new SerializerConfigImpl()))) {
                        harness.open();
                        long started = System.nanoTime();
                        harness.processElement(request("hung", "hang.test"), 0);
                        for (int i = 0; i < 3; i++) {
                            harness.processElement(request("ok-" + i, "ok.test"), 0);
                        }
                        awaitOutputs(harness, 3); // while hang.test's lookup still hangs
                        assertThat(harness.extractOutputValues())
                                .allSatisfy(f -> assertThat(f.failed()).isFalse())
                                .extracting(f -> f.request.requestId)
                                .containsExactlyInAnyOrder("ok-0", "ok-1", "ok-2");

                        OperatorSubtaskState checkpoint = harness.snapshot(1, 1);
                        assertThat(checkpoint).isNotNull();

                        awaitOutputs(harness, 4);
                        double seconds = (System.nanoTime() - started) / 1e9;
                        FetchedImage hung = harness.extractOutputValues().get(3);
                        assertThat(hung.request.requestId).isEqualTo("hung");
                        assertThat(hung.errorCode).isEqualTo(ErrorCode.TIMEOUT.name());
                        assertThat(seconds).isLessThan(10); // the 2 s fetch deadline, not 60 s
                        assertThat(NEVER.getCount()).isEqualTo(1); // the lookup still hangs
                    }
                });
    }
}
