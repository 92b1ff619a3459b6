package io.inceptionpipeline.operators.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionpipeline.schemas.ErrorCode;
import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code --allowed-host} syntax, and ports in the allowlist (issue 13, item 1). */
class AllowedHostTest {

    private static UriPolicy allowing(String... entries) {
        return new UriPolicy(FetchConfig.defaults().withAllowedHosts(List.of(entries)));
    }

    private static ErrorCode refusal(UriPolicy policy, String uri) {
        try {
            policy.checkHost(URI.create(uri));
            return null;
        } catch (FetchException e) {
            return e.code();
        }
    }

    @Test
    void parsesEveryForm() throws Exception {
        assertThat(AllowedHost.parse("images.internal").name()).isEqualTo("images.internal");
        assertThat(AllowedHost.parse("images.internal").port()).isEqualTo(AllowedHost.ANY_PORT);
        assertThat(AllowedHost.parse("Images.Internal:8443").port()).isEqualTo(8443);
        assertThat(AllowedHost.parse("127.0.0.1:8080").port()).isEqualTo(8080);
        assertThat(AllowedHost.parse("::1").port()).isEqualTo(AllowedHost.ANY_PORT);
        assertThat(AllowedHost.parse("[::1]").port()).isEqualTo(AllowedHost.ANY_PORT);
        assertThat(AllowedHost.parse("[::1]:8080").port()).isEqualTo(8080);
        assertThat(AllowedHost.parse("10.0.0.0/8:443").port()).isEqualTo(443);
        assertThat(AllowedHost.parse("fd00::/8:443").port()).isEqualTo(443);
        assertThat(AllowedHost.parse("[fd00::]/8:443").port()).isEqualTo(443);
        AllowedHost block = AllowedHost.parse("10.0.0.0/8:443");
        assertThat(block.matchesAddress(InetAddress.getByName("10.9.8.7"), 443)).isTrue();
        assertThat(block.matchesAddress(InetAddress.getByName("10.9.8.7"), 80)).isFalse();
        assertThat(block.matchesAddress(InetAddress.getByName("11.0.0.1"), 443)).isFalse();
        assertThat(
                        AllowedHost.parse("[fd00::]/8:443")
                                .matchesAddress(InetAddress.getByName("fd12::1"), 443))
                .isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "host:0", "host:65536", "host:http", "10.0.0.0/33", "[::1", "a b"})
    void refusesBadEntriesAtOnce(String entry) {
        assertThatThrownBy(() -> AllowedHost.parse(entry))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anAddressWithAPortOpensOnlyThatPort() {
        UriPolicy policy = allowing("127.0.0.1:8080");
        assertThat(refusal(policy, "http://127.0.0.1:8080/x.jpg")).isNull();
        // the three URIs the hostile corpus reached on port 1 with a port-less allowlist
        assertThat(refusal(policy, "http://127.0.0.1:1/")).isEqualTo(ErrorCode.HOST_NOT_ALLOWED);
        assertThat(refusal(policy, "http://localhost:1/")).isEqualTo(ErrorCode.HOST_NOT_ALLOWED);
        assertThat(refusal(policy, "http://[::ffff:127.0.0.1]:1/"))
                .isEqualTo(ErrorCode.HOST_NOT_ALLOWED);
        // no port in the URI: the scheme's
        assertThat(refusal(policy, "http://127.0.0.1/")).isEqualTo(ErrorCode.HOST_NOT_ALLOWED);
        assertThat(refusal(allowing("127.0.0.1:80"), "http://127.0.0.1/")).isNull();
        assertThat(refusal(allowing("127.0.0.1:443"), "https://127.0.0.1/")).isNull();
    }

    @Test
    void aBareEntryStillOpensEveryPort() {
        UriPolicy policy = allowing("127.0.0.1");
        assertThat(refusal(policy, "http://127.0.0.1:1/")).isNull();
        assertThat(refusal(policy, "http://127.0.0.1:8080/")).isNull();
    }

    @Test
    void namesV6AndBlocksTakePortsToo() {
        assertThat(refusal(allowing("localhost:8080"), "http://localhost:8080/")).isNull();
        assertThat(refusal(allowing("localhost:8080"), "http://localhost:8081/"))
                .isEqualTo(ErrorCode.HOST_NOT_ALLOWED);
        assertThat(refusal(allowing("[::1]:8080"), "http://[::1]:8080/")).isNull();
        assertThat(refusal(allowing("[::1]:8080"), "http://[::1]:1/"))
                .isEqualTo(ErrorCode.HOST_NOT_ALLOWED);
        assertThat(refusal(allowing("10.0.0.0/8:443"), "https://10.1.2.3/")).isNull();
        assertThat(refusal(allowing("10.0.0.0/8:443"), "http://10.1.2.3/"))
                .isEqualTo(ErrorCode.HOST_NOT_ALLOWED);
    }
}
