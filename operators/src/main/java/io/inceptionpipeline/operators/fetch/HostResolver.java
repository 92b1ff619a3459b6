package io.inceptionpipeline.operators.fetch;

import java.io.Serializable;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Resolves a host name to its addresses. The fetcher calls it once per connection, off the Flink
 * task thread, and connects only to the addresses {@link UriPolicy} vetted from its answer. Tests
 * plug in their own to map names to local servers; production uses {@link #SYSTEM}.
 */
@FunctionalInterface
public interface HostResolver extends Serializable {

    /** The JVM's resolver (the operating system's, through {@link InetAddress}). */
    HostResolver SYSTEM = InetAddress::getAllByName;

    /** Every address of {@code host}; never empty. */
    InetAddress[] resolve(String host) throws UnknownHostException;
}
