package io.inceptionpipeline.operators.fetch;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.apache.hc.client5.http.DnsResolver;

/**
 * The HTTP client's only resolver: every connection, first request or redirect hop, HTTP or HTTPS,
 * gets exactly the addresses {@link UriPolicy#vet} resolved once and vetted for the connection's
 * port. A refusal fails the connection before any socket opens ({@link Refused}); nothing here
 * falls back to another lookup.
 */
final class VettingDnsResolver implements DnsResolver {

    private final UriPolicy policy;

    VettingDnsResolver(UriPolicy policy) {
        this.policy = policy;
    }

    @Override
    public List<InetSocketAddress> resolve(String host, int port) throws UnknownHostException {
        return vetted(host, port).stream().map(a -> new InetSocketAddress(a, port)).toList();
    }

    /** Without a port only entries that allow every port apply (fails closed). */
    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        return vetted(host, AllowedHost.ANY_PORT).toArray(new InetAddress[0]);
    }

    /** The name as given: a canonical-name lookup would be a second, unvetted resolution. */
    @Override
    public String resolveCanonicalHostname(String host) {
        return host;
    }

    private List<InetAddress> vetted(String host, int port) throws UnknownHostException {
        try {
            return policy.vet(host, port);
        } catch (FetchException e) {
            throw new Refused(e);
        }
    }

    /** The policy refused the host, or it does not resolve; carries the dead letter's code. */
    static final class Refused extends UnknownHostException {
        private final transient FetchException refusal;

        Refused(FetchException refusal) {
            super(refusal.getMessage());
            this.refusal = refusal;
        }

        FetchException refusal() {
            return refusal;
        }
    }
}
