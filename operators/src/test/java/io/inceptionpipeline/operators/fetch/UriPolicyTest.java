package io.inceptionpipeline.operators.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionpipeline.schemas.ErrorCode;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UriPolicyTest {

    @TempDir Path dir;

    private UriPolicy policy(Path root) {
        return new UriPolicy(FetchConfig.defaults().withAllowedRoots(List.of(root.toString())));
    }

    private static void assertCode(Runnable action, ErrorCode code) {
        assertThatThrownBy(action::run)
                .isInstanceOf(FetchException.class)
                .satisfies(e -> assertThat(((FetchException) e).code()).isEqualTo(code));
    }

    @Test
    void acceptsFilesInsideTheRootOnly() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path image = Files.writeString(root.resolve("a.jpg"), "x");
        Files.writeString(dir.resolve("secret.txt"), "s");
        UriPolicy policy = policy(root);

        assertThat(policy.checkFile(image.toUri())).isEqualTo(image.toRealPath());
        assertCode(
                () -> policy.checkFile(dir.resolve("secret.txt").toUri()),
                ErrorCode.PATH_NOT_ALLOWED);
        assertCode(
                () -> policy.checkFile(URI.create(root.toUri() + "../secret.txt")),
                ErrorCode.PATH_NOT_ALLOWED);
        assertCode(
                () -> policy.checkFile(URI.create(root.toUri() + "%2e%2e/secret.txt")),
                ErrorCode.PATH_NOT_ALLOWED);
        assertCode(
                () -> policy.checkFile(root.resolve("missing.jpg").toUri()), ErrorCode.NOT_FOUND);
        assertCode(
                () -> policy.checkFile(URI.create("file://evil.example.com/etc/passwd")),
                ErrorCode.PATH_NOT_ALLOWED);
    }

    @Test
    void refusesASymlinkThatLeadsOutOfTheRoot() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path outside = Files.writeString(dir.resolve("outside.jpg"), "x");
        Path link = Files.createSymbolicLink(root.resolve("link.jpg"), outside);
        assertCode(() -> policy(root).checkFile(link.toUri()), ErrorCode.PATH_NOT_ALLOWED);
    }

    /** Issue 13, item 5: a root under a symbolic link (macOS /var -> /private/var). */
    @Test
    void acceptsFilesUnderARootThatLiesUnderASymbolicLink() throws Exception {
        Path real = Files.createDirectories(dir.resolve("private-var"));
        Path linked = Files.createSymbolicLink(dir.resolve("var"), real);
        Path image = Files.writeString(real.resolve("a.jpg"), "x");
        Files.writeString(dir.resolve("secret.txt"), "s");
        UriPolicy policy = policy(linked);
        assertThat(policy.checkFile(linked.resolve("a.jpg").toUri())).isEqualTo(image.toRealPath());
        assertThat(policy.checkFile(image.toUri())).isEqualTo(image.toRealPath());
        assertCode(
                () -> policy.checkFile(URI.create(linked.toUri() + "../secret.txt")),
                ErrorCode.PATH_NOT_ALLOWED);
    }

    @Test
    void refusesFilesWhenNoRootIsConfigured() {
        UriPolicy none = new UriPolicy(FetchConfig.defaults());
        assertCode(
                () -> none.checkFile(URI.create("file:///etc/hostname")),
                ErrorCode.PATH_NOT_ALLOWED);
    }

    @Test
    void classifiesSchemes() {
        UriPolicy policy = new UriPolicy(FetchConfig.defaults());
        assertThat(policy.parse("HTTPS://example.com/x.jpg").getHost()).isEqualTo("example.com");
        assertCode(() -> policy.parse("ftp://example.com/x.jpg"), ErrorCode.UNSUPPORTED_SCHEME);
        assertCode(() -> policy.parse("gopher://x"), ErrorCode.UNSUPPORTED_SCHEME);
        assertCode(() -> policy.parse("just-a-name.jpg"), ErrorCode.INVALID_URI);
        assertCode(() -> policy.parse("http://exa mple.com/"), ErrorCode.INVALID_URI);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "127.0.0.1",
                "10.1.2.3",
                "172.16.0.1",
                "192.168.1.1",
                "169.254.169.254",
                "100.64.0.1",
                "0.0.0.0",
                "224.0.0.1",
                "255.255.255.255",
                "::1",
                "fe80::1",
                "fd00::1",
                "::ffff:127.0.0.1",
                "::ffff:10.0.0.1"
            })
    void refusesNonPublicAddresses(String address) throws Exception {
        assertThat(UriPolicy.isPublic(InetAddress.getByName(address))).isFalse();
        UriPolicy policy = new UriPolicy(FetchConfig.defaults());
        String host = address.contains(":") ? "[" + address + "]" : address;
        assertCode(
                () -> policy.checkHost(URI.create("http://" + host + "/x.jpg")),
                ErrorCode.HOST_NOT_ALLOWED);
    }

    /** Issue 13, item 4: IPv6 forms that deliver to a blocked IPv4 address, and Teredo. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "64:ff9b::7f00:1", // NAT64 of 127.0.0.1
                "64:ff9b::a9fe:a9fe", // NAT64 of 169.254.169.254
                "64:ff9b::a00:1", // NAT64 of 10.0.0.1
                "64:ff9b:1::a00:1", // local-use NAT64
                "2002:7f00:1::1", // 6to4 of 127.0.0.1
                "2002:a9fe:a9fe::1", // 6to4 of 169.254.169.254
                "2002:c0a8:101::1", // 6to4 of 192.168.1.1
                "::127.0.0.1", // IPv4-compatible
                "::10.0.0.1",
                "::169.254.169.254",
                "2001:0:4136:e378:8000:63bf:3fff:fdd2", // Teredo
                "2001:db8::1" // documentation
            })
    void refusesIpv6FormsOfBlockedAddresses(String address) throws Exception {
        assertThat(UriPolicy.isPublic(InetAddress.getByName(address))).isFalse();
        assertCode(
                () ->
                        new UriPolicy(FetchConfig.defaults())
                                .checkHost(URI.create("http://[" + address + "]/x.jpg")),
                ErrorCode.HOST_NOT_ALLOWED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"64:ff9b::5db8:d822", "2002:5db8:d822::1", "::93.184.216.34"})
    void acceptsIpv6FormsOfPublicAddresses(String address) throws Exception {
        assertThat(UriPolicy.isPublic(InetAddress.getByName(address))).isTrue();
    }

    @Test
    void refusesANameThatResolvesToLoopback() {
        assertCode(
                () ->
                        new UriPolicy(FetchConfig.defaults())
                                .checkHost(URI.create("http://localhost:8080/x.jpg")),
                ErrorCode.HOST_NOT_ALLOWED);
    }

    @Test
    void acceptsPublicAddressesAndAllowlistedPrivateOnes() throws Exception {
        assertThat(UriPolicy.isPublic(InetAddress.getByName("93.184.216.34"))).isTrue();
        assertThat(UriPolicy.isPublic(InetAddress.getByName("2606:2800:220:1::1"))).isTrue();
        UriPolicy policy =
                new UriPolicy(
                        FetchConfig.defaults()
                                .withAllowedHosts(List.of("10.0.0.0/8", "localhost")));
        policy.checkHost(URI.create("http://10.20.30.40/x.jpg"));
        policy.checkHost(URI.create("http://localhost/x.jpg"));
        assertCode(
                () -> policy.checkHost(URI.create("http://192.168.0.1/x.jpg")),
                ErrorCode.HOST_NOT_ALLOWED);
    }
}
