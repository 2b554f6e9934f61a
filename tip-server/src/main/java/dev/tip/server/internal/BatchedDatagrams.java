package dev.tip.server.internal;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.nio.ByteBuffer;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's batched datagram I/O: one unconnected UDP socket read with {@code recvmmsg} (up to
 * {@link #capacity()} datagrams per system call) and written with {@code sendmmsg} (every copy
 * queued by {@link #send} goes out in one call at {@link #flush}). Implemented on Linux with the
 * Foreign Function and Memory API ({@code LinuxBatchedDatagrams}, compiled for Java 22 into the
 * multi-release jar); absent on Java 17 and other systems, where {@link #open} returns null and
 * the relay uses its NIO path.
 *
 * <p>The sender of each received datagram is found from the raw socket address through an
 * {@link AddressIndex} that {@link #bound}/{@link #unbound} keep in step with the
 * {@link MemberTable}, so nothing is allocated per datagram from a known sender; a datagram from
 * an unknown address gets an {@code InetSocketAddress} made for it (its sender may be proving its
 * address with a HELLO).
 *
 * <p>Threading: confined to the relay thread, except {@link #wakeup()}, which any thread may call.
 */
interface BatchedDatagrams extends AutoCloseable {

    /** The system property that turns the batched path off ({@code -Dtip.relay.batched=false}). */
    String PROPERTY = "tip.relay.batched";

    /** Most datagrams received per {@link #receive} call. */
    int capacity();

    /**
     * Receives what is queued, waiting up to {@code timeoutMillis} for the first datagram if none
     * is (or until {@link #wakeup()}).
     *
     * @param timeoutMillis the longest wait: 0 none, negative forever
     * @return how many datagrams were received, {@code 0..capacity()}
     * @throws IOException if the socket failed for good
     */
    int receive(long timeoutMillis) throws IOException;

    /**
     * The buffer of received datagram {@code i}: little-endian, its bytes at
     * {@code [Routing.HEAD, Routing.HEAD + length(i))}, as long as {@link Routing#bufferBytes}.
     * Copies of it sent before the next {@link #flush} are not copied again but referenced.
     */
    ByteBuffer buffer(int i);

    /** Length of received datagram {@code i}. */
    int length(int i);

    /** The member whose voice address sent datagram {@code i}, or null. Allocates nothing. */
    Member sender(int i);

    /** The address that sent datagram {@code i}, made anew: for unknown senders only. */
    InetSocketAddress senderAddress(int i);

    /**
     * Queues the buffer's position..limit for {@code to}; sent at {@link #flush} (or earlier when
     * the queue is full). A buffer other than the received datagram being routed is copied.
     *
     * @param to the recipient, with an address
     * @param datagram the bytes
     * @return the bytes queued
     */
    int send(Member to, ByteBuffer datagram);

    /** Sends every queued copy; a copy the socket refuses is counted as a failed send. */
    void flush();

    /** {@code m} now has the address {@code m.address}: datagrams from it are its. */
    void bound(Member m);

    /** {@code m} lost the address it had. */
    void unbound(Member m);

    /** Makes a {@link #receive} waiting now, or the next one, return at once. Thread-safe. */
    void wakeup();

    /** Closes the socket; idempotent. */
    @Override
    void close();

    /**
     * Opens the batched path bound to {@code address:port}, if this runtime has it: Linux on
     * x86-64 or AArch64, Java 22 or later (the implementation is in the jar's
     * {@code META-INF/versions/22}), native access enabled for this module
     * ({@code --enable-native-access}; tip.jar's manifest does it), and not turned off with
     * {@code -Dtip.relay.batched=false}.
     *
     * @param address the bind address (wildcard for all interfaces)
     * @param port the port
     * @param family the socket's family
     * @param socketBufferBytes SO_RCVBUF and SO_SNDBUF, 0 for the system's
     * @param slotBytes bytes per receive slot ({@link Routing#bufferBytes})
     * @param maxUsers highest session id plus one
     * @param counters where failed sends are counted
     * @return the socket, or null where the path is absent (the relay then uses NIO)
     * @throws IOException if the path is there but the port cannot be bound
     */
    static BatchedDatagrams open(
            InetAddress address,
            int port,
            ProtocolFamily family,
            int socketBufferBytes,
            int slotBytes,
            int maxUsers,
            Counters counters)
            throws IOException {
        Logger log = LoggerFactory.getLogger(BatchedDatagrams.class);
        if ("false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"))) {
            log.debug("batched datagram I/O turned off (-D{}=false)", PROPERTY);
            return null;
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))) {
            return null;
        }
        Class<?> impl;
        try {
            impl = Class.forName(BatchedDatagrams.class.getPackageName() + ".LinuxBatchedDatagrams");
        } catch (ClassNotFoundException | LinkageError e) {
            // Java 17-21: the multi-release jar's Java 22 classes are not seen
            return null;
        }
        try {
            Object io = impl.getMethod(
                            "open",
                            InetAddress.class,
                            int.class,
                            ProtocolFamily.class,
                            int.class,
                            int.class,
                            int.class,
                            Counters.class)
                    .invoke(null, address, port, family, socketBufferBytes, slotBytes, maxUsers, counters);
            return (BatchedDatagrams) io;
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            log.warn("batched datagram I/O unavailable ({}); using NIO", String.valueOf(e.getCause()));
            return null;
        } catch (ReflectiveOperationException e) {
            log.warn("batched datagram I/O unavailable ({}); using NIO", e.toString());
            return null;
        }
    }
}
