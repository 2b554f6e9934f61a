package dev.tip.server;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A user connected to the server: session id, nickname and addresses, as of one moment.
 * Immutable and thread-safe.
 *
 * @param id the session id (the smallest id that was free when the user joined)
 * @param name the nickname
 * @param controlAddress the TCP peer address
 * @param voiceAddress the registered UDP address (for an original client the TCP peer address
 *     and the announced CLIENT_PORT; for a TIP/2 client the address its last valid HELLO or
 *     KEEPALIVE came from), or null until known
 */
public record Participant(int id, String name, InetSocketAddress controlAddress, InetSocketAddress voiceAddress) {
    /** Rejects a negative id and null names or control addresses. */
    public Participant {
        if (id < 0) {
            throw new IllegalArgumentException("id must not be negative, was " + id);
        }
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(controlAddress, "controlAddress");
    }
}
