package dev.tip.server.internal;

/**
 * One member's stream counters as the relay thread read them.
 *
 * @param packets voice datagrams received from it
 * @param bytes their bytes
 * @param lost sequence numbers that never came
 * @param late datagrams that came after a later one
 * @param jitterMillis RFC 3550 interarrival jitter, milliseconds
 * @param codec its codec
 * @param tunnelled whether its voice goes through its control connection now
 */
record StreamSnapshot(
        long packets, long bytes, long lost, long late, double jitterMillis, String codec, boolean tunnelled) {}
