package io.inceptionpipeline.operators.fetch;

import io.inceptionpipeline.schemas.ErrorCode;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which image URIs may be fetched. {@code file://} URIs must resolve, symlinks followed, inside an
 * allowed root; HTTP(S) hosts must resolve to public addresses unless allowed by name, address or
 * CIDR block, on every port or on one ({@link AllowedHost}) (blocks loopback, private, link-local
 * such as the cloud metadata address 169.254.169.254, carrier-grade NAT, multicast and reserved
 * ranges).
 */
public final class UriPolicy {

    private final List<Path> roots = new ArrayList<>(); // symbolic links resolved
    private final List<Path> namedRoots = new ArrayList<>(); // as configured, made absolute
    private final boolean allowPrivateNetworks;
    private final List<AllowedHost> allowedHosts = new ArrayList<>();
    private final List<String> allowedBuckets;
    private final HostResolver resolver;

    public UriPolicy(FetchConfig config) {
        this(config, HostResolver.SYSTEM);
    }

    /** A policy that resolves host names with {@code resolver}. */
    public UriPolicy(FetchConfig config, HostResolver resolver) {
        this.resolver = resolver;
        for (String root : config.allowedRoots()) {
            try {
                roots.add(Path.of(root).toRealPath());
                namedRoots.add(Path.of(root).toAbsolutePath().normalize());
            } catch (IOException | InvalidPathException e) {
                throw new IllegalArgumentException(
                        "Allowed root " + root + " does not exist: " + e.getMessage(), e);
            }
        }
        this.allowPrivateNetworks = config.allowPrivateNetworks();
        this.allowedBuckets = config.s3().allowedBuckets();
        for (String host : config.allowedHosts()) {
            allowedHosts.add(AllowedHost.parse(host));
        }
    }

    /**
     * Parses and checks the scheme; the URI is then {@code file}, {@code http}, {@code https} or
     * {@code s3}.
     */
    public URI parse(String uri) {
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException e) {
            throw new FetchException(ErrorCode.INVALID_URI, "Not a valid URI: " + e.getMessage());
        }
        String scheme =
                parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "file":
            case "http":
            case "https":
            case "s3":
                return parsed;
            case "":
                throw new FetchException(ErrorCode.INVALID_URI, "URI has no scheme: " + uri);
            default:
                throw new FetchException(
                        ErrorCode.UNSUPPORTED_SCHEME,
                        "Scheme '" + scheme + "' is not supported (file, http, https, s3)");
        }
    }

    /** The real path of a {@code file://} URI, if inside an allowed root. */
    public Path checkFile(URI uri) {
        if (roots.isEmpty()) {
            throw new FetchException(
                    ErrorCode.PATH_NOT_ALLOWED,
                    "file:// URIs are disabled: no allowed root is configured");
        }
        if (uri.getRawAuthority() != null
                && !uri.getRawAuthority().isEmpty()
                && !uri.getRawAuthority().equalsIgnoreCase("localhost")) {
            throw new FetchException(
                    ErrorCode.PATH_NOT_ALLOWED,
                    "file:// URIs with a host are not allowed: " + uri.getRawAuthority());
        }
        Path path;
        try {
            path = Path.of(uri.getPath()).toAbsolutePath().normalize();
        } catch (InvalidPathException | NullPointerException e) {
            throw new FetchException(ErrorCode.INVALID_URI, "Not a file path: " + uri);
        }
        // Before touching the file system: the path as written must lie under a root as
        // configured or as resolved (a root may itself lie under a link, e.g. macOS /var).
        if (!insideRoots(path) && !inside(path, namedRoots)) {
            throw new FetchException(
                    ErrorCode.PATH_NOT_ALLOWED, "Path is outside the allowed roots");
        }
        Path real;
        try {
            real = path.toRealPath();
        } catch (NoSuchFileException e) {
            throw new FetchException(ErrorCode.NOT_FOUND, "No such file: " + path);
        } catch (IOException e) {
            throw new FetchException(
                    ErrorCode.FETCH_IO_ERROR, "Cannot resolve " + path + ": " + e.getMessage());
        }
        if (!insideRoots(real)) {
            throw new FetchException(
                    ErrorCode.PATH_NOT_ALLOWED,
                    "Path leads outside the allowed roots through a symbolic link");
        }
        return real;
    }

    /** Bucket and key of an {@code s3://bucket/key} URI, if the bucket is allowed. */
    public S3Location checkS3(URI uri) {
        if (allowedBuckets.isEmpty()) {
            throw new FetchException(
                    ErrorCode.HOST_NOT_ALLOWED,
                    "s3:// URIs are disabled: no bucket is allowed (--allow-s3-bucket)");
        }
        // The authority, not getHost(): bucket names may hold characters a host name may not.
        String bucket = uri.getRawAuthority();
        String key = uri.getPath() == null ? "" : uri.getPath();
        if (bucket == null || bucket.isEmpty()) {
            throw new FetchException(ErrorCode.INVALID_URI, "s3:// URI has no bucket: " + uri);
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new FetchException(
                    ErrorCode.INVALID_URI, "s3:// URIs take no query or fragment: " + uri);
        }
        key = key.startsWith("/") ? key.substring(1) : key;
        if (key.isEmpty() || key.endsWith("/")) {
            throw new FetchException(ErrorCode.INVALID_URI, "s3:// URI names no object: " + uri);
        }
        if (!allowedBuckets.contains(bucket)) {
            throw new FetchException(
                    ErrorCode.HOST_NOT_ALLOWED, "S3 bucket " + bucket + " is not allowed");
        }
        return new S3Location(bucket, key);
    }

    /** An object in S3. */
    public record S3Location(String bucket, String key) {}

    /** Whether a real path (symbolic links resolved) lies inside an allowed root. */
    public boolean insideRealRoots(Path realPath) {
        return insideRoots(realPath);
    }

    private boolean insideRoots(Path path) {
        return inside(path, roots);
    }

    private static boolean inside(Path path, List<Path> roots) {
        for (Path root : roots) {
            if (path.startsWith(root)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Checks that an HTTP(S) URI's host may be contacted on its port (the scheme's default when the
     * URI names none) and returns the vetted addresses to connect to; see {@link #vet}.
     */
    public List<InetAddress> checkHost(URI uri) {
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new FetchException(ErrorCode.INVALID_URI, "URI has no host: " + uri);
        }
        int port = uri.getPort();
        if (port == -1) {
            port = "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        }
        return vet(host, port);
    }

    /**
     * Resolves {@code host} once and returns its addresses if every one may be contacted on {@code
     * port}: public, or inside an allowed block on that port; all of them when the host is allowed
     * by name on that port or private networks are allowed. Connecting only to these addresses,
     * rather than resolving the name again, leaves no DNS-rebinding window between check and
     * connect.
     *
     * @param port the port to connect to, or {@link AllowedHost#ANY_PORT} when unknown (then only
     *     entries without a port apply)
     */
    public List<InetAddress> vet(String host, int port) {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.startsWith("[") && name.endsWith("]")) {
            name = name.substring(1, name.length() - 1);
        }
        if (name.isEmpty()) {
            throw new FetchException(ErrorCode.INVALID_URI, "No host to connect to");
        }
        InetAddress[] addresses = resolve(name);
        if (allowPrivateNetworks || allowedByName(name, port)) {
            return List.of(addresses);
        }
        for (InetAddress address : addresses) {
            if (!isPublic(address) && !allowedByAddress(address, port)) {
                throw new FetchException(
                        ErrorCode.HOST_NOT_ALLOWED,
                        "Host "
                                + host
                                + (port == AllowedHost.ANY_PORT ? "" : " port " + port)
                                + " resolves to non-public address "
                                + address.getHostAddress()
                                + " that no --allowed-host entry allows");
            }
        }
        return List.of(addresses);
    }

    private InetAddress[] resolve(String name) {
        InetAddress literal = literal(name);
        if (literal != null) {
            return new InetAddress[] {literal};
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(name);
        } catch (UnknownHostException e) {
            throw new FetchException(ErrorCode.NOT_FOUND, "Unknown host " + name);
        }
        if (addresses == null || addresses.length == 0) {
            throw new FetchException(ErrorCode.NOT_FOUND, "Unknown host " + name);
        }
        return addresses;
    }

    /** The address an IP literal names, without any lookup; {@code null} for a host name. */
    static InetAddress literal(String host) {
        boolean v4 = host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
        boolean v6 = host.contains(":"); // a host name never holds a colon
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(host); // a literal: parsed, never looked up
        } catch (UnknownHostException e) {
            throw new FetchException(ErrorCode.INVALID_URI, "Not an IP address: " + host);
        }
    }

    /**
     * Whether an IPv6 address (not loopback, link-local, site-local or multicast) is public.
     * Addresses that carry an IPv4 address are judged by it: IPv4-mapped {@code ::ffff:a.b.c.d},
     * IPv4-compatible {@code ::a.b.c.d}, NAT64 {@code 64:ff9b::/96} and 6to4 {@code 2002::/16}; a
     * gateway would deliver them to that IPv4 address. Teredo {@code 2001::/32} (a tunnel to an
     * address we cannot vet), local-use NAT64 {@code 64:ff9b:1::/48}, unique-local {@code fc00::/7}
     * and documentation {@code 2001:db8::/32} are never public.
     */
    private static boolean isPublicV6(byte[] b) {
        int first = ((b[0] & 0xff) << 8) | (b[1] & 0xff);
        int second = ((b[2] & 0xff) << 8) | (b[3] & 0xff);
        if ((b[0] & 0xfe) == 0xfc // unique local fc00::/7
                || (first == 0x2001 && second == 0) // Teredo 2001::/32
                || (first == 0x2001 && second == 0x0db8) // documentation 2001:db8::/32
                || (first == 0x0064
                        && second == 0xff9b
                        && b[4] == 0
                        && b[5] == 1)) { // 64:ff9b:1::/48
            return false;
        }
        if (first == 0x2002) { // 6to4: the IPv4 address is in bytes 2..5
            return isPublicV4(b[2], b[3], b[4], b[5]);
        }
        boolean zeroTo10 = true;
        for (int i = 0; i < 10; i++) {
            zeroTo10 &= b[i] == 0;
        }
        boolean mapped = zeroTo10 && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean compatible = zeroTo10 && b[10] == 0 && b[11] == 0; // ::a.b.c.d
        boolean nat64 = first == 0x0064 && second == 0xff9b;
        for (int i = 4; i < 12 && nat64; i++) {
            nat64 = b[i] == 0;
        }
        if (mapped || compatible || nat64) {
            return isPublicV4(b[12], b[13], b[14], b[15]);
        }
        return true;
    }

    private static boolean isPublicV4(byte b0, byte b1, byte b2, byte b3) {
        try {
            return isPublic(InetAddress.getByAddress(new byte[] {b0, b1, b2, b3}));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private boolean allowedByName(String name, int port) {
        for (AllowedHost allowed : allowedHosts) {
            if (allowed.matchesName(name, port)) {
                return true;
            }
        }
        return false;
    }

    private boolean allowedByAddress(InetAddress address, int port) {
        for (AllowedHost allowed : allowedHosts) {
            if (allowed.matchesAddress(address, port)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code address} is a public unicast address. */
    public static boolean isPublic(InetAddress address) {
        if (address.isAnyLocalAddress()
                || address.isLoopbackAddress()
                || address.isLinkLocalAddress()
                || address.isSiteLocalAddress()
                || address.isMulticastAddress()) {
            return false;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return !(first == 0 // "this" network
                    || (first == 100 && second >= 64 && second < 128) // carrier-grade NAT
                    || (first == 192
                            && second == 0
                            && (b[2] & 0xff) == 0) // IETF protocol assignments
                    || (first == 198 && (second == 18 || second == 19)) // benchmarking
                    || first >= 240); // reserved, broadcast
        }
        if (address instanceof Inet6Address) {
            return isPublicV6(b);
        }
        return true;
    }
}
