package dev.tip.server;

import java.util.Objects;

/**
 * One member's voice stream into the server, as the relay counted it: what arrived, what was
 * missing or late by its sequence numbers, and its interarrival jitter. Immutable, thread-safe.
 *
 * <p>Sequence numbers and timestamps exist only in TIP/2 datagrams: for an original member
 * (raw PCM, no header) {@code lost}, {@code late} and {@code jitterMillis} are 0.
 *
 * @param id the member's session id
 * @param name its nickname
 * @param room its room
 * @param codec the codec it sends in ({@code "pcm"}, {@code "opus"})
 * @param path how its voice reaches the server now: {@code "udp"}, or {@code "tcp"} while it goes
 *     through its control connection (the tunnel)
 * @param packets voice datagrams accepted from it (relayed or mixed; not dropped ones)
 * @param bytes their payload bytes
 * @param lost datagrams missing: sequence numbers skipped and not seen since
 * @param late datagrams that came after a later one (out of order)
 * @param jitterMillis the RFC 3550 interarrival jitter estimate, milliseconds
 */
public record StreamStatistics(
        int id,
        String name,
        String room,
        String codec,
        String path,
        long packets,
        long bytes,
        long lost,
        long late,
        double jitterMillis) {
    /** Rejects null texts. */
    public StreamStatistics {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(path, "path");
    }
}
