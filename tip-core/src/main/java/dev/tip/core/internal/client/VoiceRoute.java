package dev.tip.core.internal.client;

import dev.tip.core.VoiceTransport;
import dev.tip.core.internal.VoiceCounters;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The path below {@link Tip2VoicePath}: whether the session's datagrams go over UDP or through
 * the control connection (docs/protocol.md, "Voice over the control connection"), and the facts
 * that decide it. The datagrams are the same either way; only {@link VoiceEngine#send} looks here.
 *
 * <p>Rules (the keepalive thread applies them; {@link VoiceLoops.KeepaliveLoop}):
 *
 * <ul>
 *   <li>To TCP: the server accepted {@code TUNNEL} and no HELLO_ACK came within {@link
 *       #TUNNEL_AFTER_NANOS} of the first HELLO, or nothing came over UDP for {@link
 *       #UDP_DEAD_NANOS} although the client probed with a HELLO every {@link #PROBE_NANOS} after
 *       {@link #UDP_QUIET_NANOS} of UDP silence.
 *   <li>Back to UDP: a HELLO_ACK arrives over UDP (the probes go on every {@link #PROBE_NANOS}
 *       while on TCP).
 *   <li>After each switch a KEEPALIVE goes out on the new path at once, so that the server's
 *       outbound path follows.
 * </ul>
 *
 * <p>Thread-safe: the state is volatile; a switch happens under this object's monitor, and the
 * listener is told outside it.
 */
final class VoiceRoute {
    private static final Logger log = LoggerFactory.getLogger(VoiceRoute.class);

    /** No HELLO_ACK this long after the first HELLO: tunnel (the "about a second"). */
    static final long TUNNEL_AFTER_NANOS = 1_000_000_000L;
    /** Nothing over UDP this long while bound: probe with HELLO. */
    static final long UDP_QUIET_NANOS = 2_000_000_000L;
    /** Nothing over UDP this long, probes included: tunnel. */
    static final long UDP_DEAD_NANOS = 4_000_000_000L;
    /** How often a HELLO probes UDP while it is quiet or while tunnelling. */
    static final long PROBE_NANOS = 1_000_000_000L;

    private final String name;
    private final VoiceCounters counters;
    private final Consumer<VoiceTransport> onChange;

    private volatile boolean available;
    private volatile boolean tcp;
    private volatile long lastUdpNanos = System.nanoTime();
    /** A switch happened that the server has not been told of by a KEEPALIVE on the new path. */
    private volatile boolean announce;

    /**
     * Creates the route of one client: UDP, no tunnel until {@link #available()} is called.
     *
     * @param name the client's name, for logs
     * @param counters where the path shows
     * @param onChange told each switch (outside any lock)
     */
    VoiceRoute(String name, VoiceCounters counters, Consumer<VoiceTransport> onChange) {
        this.name = name;
        this.counters = counters;
        this.onChange = onChange;
    }

    /** The server accepted the tunnel (SESSION carried {@code "TUNNEL": 1}). */
    void available() {
        available = true;
    }

    /** @return whether the tunnel may be used */
    boolean isAvailable() {
        return available;
    }

    /** @return whether voice goes through the control connection now */
    boolean isTcp() {
        return tcp;
    }

    /** @return when something last came over UDP, {@link System#nanoTime()} */
    long lastUdpNanos() {
        return lastUdpNanos;
    }

    /** An authenticated datagram arrived over UDP (voice or HELLO_ACK). Receive thread. */
    void udpHeard() {
        lastUdpNanos = System.nanoTime();
    }

    /** A HELLO_ACK arrived over UDP: UDP works both ways again. Receive thread. */
    void udpAnswered() {
        lastUdpNanos = System.nanoTime();
        if (tcp) {
            change(false, "a UDP probe was answered");
        }
    }

    /**
     * Moves voice to the control connection, if the tunnel is available.
     *
     * @param why for the log
     * @return true if it moved now
     */
    boolean toTcp(String why) {
        return available && !tcp && change(true, why);
    }

    /**
     * Takes the pending announcement of a switch, once.
     *
     * @return true if a KEEPALIVE should go out on the current path now
     */
    boolean takeAnnouncement() {
        if (!announce) {
            return false;
        }
        announce = false;
        return true;
    }

    private boolean change(boolean toTcp, String why) {
        synchronized (this) {
            if (tcp == toTcp) {
                return false;
            }
            tcp = toTcp;
            announce = true;
            counters.transport = toTcp ? VoiceTransport.TCP : VoiceTransport.UDP;
            counters.transportSwitches.incrementAndGet();
        }
        log.info("{}: voice now goes over {} ({})", name, toTcp ? "the control connection (TCP)" : "UDP", why);
        onChange.accept(toTcp ? VoiceTransport.TCP : VoiceTransport.UDP);
        return true;
    }
}
