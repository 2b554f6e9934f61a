package dev.tip.server.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The server's counters. Each counter has a single writer (the relay thread or the control
 * thread), which updates it with {@link #add}: a plain read and a release store, no locked
 * instruction on the voice path. Readers on any thread see recent values.
 */
public final class Counters {
    // written by the relay thread
    final AtomicLong datagramsReceived = new AtomicLong();
    final AtomicLong bytesReceived = new AtomicLong();
    final AtomicLong datagramsRelayed = new AtomicLong();
    final AtomicLong bytesRelayed = new AtomicLong();
    final AtomicLong droppedUnknownSender = new AtomicLong();
    final AtomicLong droppedProbe = new AtomicLong();
    final AtomicLong droppedTooLong = new AtomicLong();
    final AtomicLong droppedSendFailed = new AtomicLong();
    final AtomicLong droppedMalformed = new AtomicLong();
    final AtomicLong droppedBadToken = new AtomicLong();
    final AtomicLong droppedWrongSession = new AtomicLong();
    final AtomicLong droppedWrongAddress = new AtomicLong();
    final AtomicLong voiceAddressesLearned = new AtomicLong();
    final AtomicLong helloAcksSent = new AtomicLong();
    // written by the control thread
    final AtomicLong connectionsAccepted = new AtomicLong();
    final AtomicLong connectionsRefused = new AtomicLong();
    final AtomicLong controlMessagesReceived = new AtomicLong();
    final AtomicLong controlMessagesSent = new AtomicLong();
    final AtomicLong protocolErrors = new AtomicLong();

    /** Single-writer increment. */
    static void add(AtomicLong counter, long delta) {
        counter.lazySet(counter.get() + delta);
    }

    /**
     * Returns the counters as an array, in the order of the components of
     * {@code ServerStatistics} after {@code users}: accepted, refused, received, bytes received,
     * relayed, bytes relayed, unknown sender, probe, too long, send failed, malformed, bad token,
     * wrong session, wrong address, voice addresses learned, HELLO_ACKs sent, control received,
     * control sent, protocol errors.
     *
     * @return the values
     */
    public long[] snapshot() {
        return new long[] {
            connectionsAccepted.get(),
            connectionsRefused.get(),
            datagramsReceived.get(),
            bytesReceived.get(),
            datagramsRelayed.get(),
            bytesRelayed.get(),
            droppedUnknownSender.get(),
            droppedProbe.get(),
            droppedTooLong.get(),
            droppedSendFailed.get(),
            droppedMalformed.get(),
            droppedBadToken.get(),
            droppedWrongSession.get(),
            droppedWrongAddress.get(),
            voiceAddressesLearned.get(),
            helloAcksSent.get(),
            controlMessagesReceived.get(),
            controlMessagesSent.get(),
            protocolErrors.get()
        };
    }
}
