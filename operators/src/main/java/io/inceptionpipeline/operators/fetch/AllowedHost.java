package io.inceptionpipeline.operators.fetch;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * One {@code --allowed-host} entry: a host name or an address block, on every port or on one.
 *
 * <p>Syntax: {@code host}, {@code host:port}, {@code 10.1.2.3}, {@code 10.1.2.3:8080}, {@code ::1}
 * or {@code [::1]}, {@code [::1]:8080}, a CIDR block {@code 10.0.0.0/8} or {@code fd00::/8}, and a
 * CIDR block on one port {@code 10.0.0.0/8:443} or {@code [fd00::]/8:443}. Without a port the entry
 * allows every port. An IPv6 address with a port must be written in brackets: {@code ::1:8080} is
 * read as an address.
 *
 * @param name a lower-case host name, or {@code null} for an address block
 * @param network the block's network address, {@code null} for a name
 * @param mask the block's mask, as long as {@code network}
 * @param port the one port allowed, or {@link #ANY_PORT}
 */
record AllowedHost(String name, byte[] network, byte[] mask, int port) {

    static final int ANY_PORT = -1;

    /** Parses one entry; a bad entry fails at once with an {@link IllegalArgumentException}. */
    static AllowedHost parse(String entry) {
        String spec = entry.trim().toLowerCase(Locale.ROOT);
        if (spec.isEmpty()) {
            throw new IllegalArgumentException("Empty allowed host");
        }
        String hostPart = spec;
        int port = ANY_PORT;
        if (spec.startsWith("[")) { // [v6], [v6]:port, [v6]/bits, [v6]/bits:port
            int close = spec.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("Unclosed '[' in allowed host " + entry);
            }
            String rest = spec.substring(close + 1);
            String bits = "";
            if (rest.startsWith("/")) {
                int colon = rest.indexOf(':');
                bits = colon < 0 ? rest : rest.substring(0, colon);
                rest = colon < 0 ? "" : rest.substring(colon);
            }
            if (!rest.isEmpty()) {
                port = port(rest, entry);
            }
            hostPart = spec.substring(1, close) + bits;
            return block(hostPart, port, entry);
        }
        int slash = spec.indexOf('/');
        if (slash >= 0) { // CIDR, maybe with a port after the prefix length
            String suffix = spec.substring(slash + 1);
            int colon = suffix.indexOf(':');
            if (colon >= 0) {
                port = port(suffix.substring(colon), entry);
                suffix = suffix.substring(0, colon);
            }
            return block(spec.substring(0, slash) + "/" + suffix, port, entry);
        }
        long colons = spec.chars().filter(c -> c == ':').count();
        if (colons >= 2) { // a bare IPv6 address: every port
            return block(spec, ANY_PORT, entry);
        }
        if (colons == 1) {
            port = port(spec.substring(spec.indexOf(':')), entry);
            hostPart = spec.substring(0, spec.indexOf(':'));
        }
        if (hostPart.matches("[0-9.]+")) {
            return block(hostPart, port, entry);
        }
        if (!hostPart.matches("[a-z0-9]([a-z0-9_.-]*[a-z0-9])?")) {
            throw new IllegalArgumentException("Not a host name: " + entry);
        }
        return new AllowedHost(hostPart, null, null, port);
    }

    /** Whether this entry allows {@code port} ({@link #ANY_PORT} when unknown: only any-port). */
    boolean allowsPort(int candidate) {
        return port == ANY_PORT || port == candidate;
    }

    /** Whether this is a name entry for {@code host} on {@code candidatePort}. */
    boolean matchesName(String host, int candidatePort) {
        return name != null && name.equals(host) && allowsPort(candidatePort);
    }

    /** Whether this is a block holding {@code address}, on {@code candidatePort}. */
    boolean matchesAddress(InetAddress address, int candidatePort) {
        if (network == null || !allowsPort(candidatePort)) {
            return false;
        }
        byte[] bytes = address.getAddress();
        if (bytes.length != network.length) {
            return false;
        }
        for (int i = 0; i < bytes.length; i++) {
            if ((bytes[i] & mask[i]) != (network[i] & mask[i])) {
                return false;
            }
        }
        return true;
    }

    private static int port(String colonAndPort, String entry) {
        String digits = colonAndPort.substring(1);
        if (!digits.matches("[0-9]{1,5}") || Integer.parseInt(digits) < 1) {
            throw new IllegalArgumentException("Bad port in allowed host " + entry);
        }
        int port = Integer.parseInt(digits);
        if (port > 65535) {
            throw new IllegalArgumentException("Bad port in allowed host " + entry);
        }
        return port;
    }

    private static AllowedHost block(String spec, int port, String entry) {
        String[] parts = spec.split("/", 2);
        if (!parts[0].matches("[0-9a-f.:]+")) {
            throw new IllegalArgumentException("Not an IP address or CIDR block: " + entry);
        }
        byte[] network;
        try {
            network = InetAddress.getByName(parts[0]).getAddress(); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("Not an IP address or CIDR block: " + entry);
        }
        int bits;
        try {
            bits = parts.length == 2 ? Integer.parseInt(parts[1]) : network.length * 8;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Bad prefix length in " + entry);
        }
        if (bits < 0 || bits > network.length * 8) {
            throw new IllegalArgumentException("Bad prefix length in " + entry);
        }
        byte[] mask = new byte[network.length];
        for (int i = 0; i < bits; i++) {
            mask[i / 8] |= (byte) (0x80 >>> (i % 8));
        }
        return new AllowedHost(null, network, mask, port);
    }
}
