package dev.tip.server.internal;

import dev.tip.server.ServerStatistics;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server's counters. Each has a single writer (the relay thread or the control thread), which
 * updates it with {@link #add}: a plain read and a release store, no locked instruction on the
 * voice path. {@link #snapshot} reads them on any thread into the public record.
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
    final AtomicLong droppedForged = new AtomicLong();
    final AtomicLong droppedReplayed = new AtomicLong();
    final AtomicLong voiceAddressesLearned = new AtomicLong();
    final AtomicLong helloAcksSent = new AtomicLong();
    final AtomicLong droppedRateLimited = new AtomicLong();
    final AtomicLong voiceSocketFailures = new AtomicLong();
    final AtomicLong mixedFramesSent = new AtomicLong();
    final AtomicLong mixFramesDroppedLate = new AtomicLong();
    final AtomicLong mixFramesDroppedOverflow = new AtomicLong();
    final AtomicLong tunnelledMembers = new AtomicLong();
    final AtomicLong tunnelDatagramsOut = new AtomicLong();
    final AtomicLong tunnelDroppedOverflow = new AtomicLong();
    final AtomicLong droppedMuted = new AtomicLong();
    final AtomicLong rosterDeltasSent = new AtomicLong();
    final AtomicLong rostersCoalesced = new AtomicLong();
    // written by the control thread
    final AtomicLong tunnelDatagramsIn = new AtomicLong();
    final AtomicLong tunnelDroppedInbound = new AtomicLong();
    final AtomicLong sessionsResumed = new AtomicLong();
    final AtomicLong resumesRefused = new AtomicLong();
    final AtomicLong connectionsAccepted = new AtomicLong();
    final AtomicLong connectionsRefused = new AtomicLong();
    final AtomicLong controlMessagesReceived = new AtomicLong();
    final AtomicLong controlMessagesSent = new AtomicLong();
    final AtomicLong protocolErrors = new AtomicLong();
    final AtomicLong pendingConnectionsEvicted = new AtomicLong();
    final AtomicLong renamesUnchanged = new AtomicLong();
    final AtomicLong renamesLimited = new AtomicLong();
    final AtomicLong rostersReplaced = new AtomicLong();
    final AtomicLong clientPortChangesLimited = new AtomicLong();
    final AtomicLong clientPortsRefused = new AtomicLong();
    final AtomicLong logLinesSuppressed = new AtomicLong();

    /** Single-writer addition: only the counter's own thread may call it. */
    static void add(AtomicLong counter, long delta) {
        counter.lazySet(counter.get() + delta);
    }

    /**
     * Reads every counter into the public record. Thread-safe.
     *
     * @param users users connected now
     * @param relayAllocatedBytes the relay thread's allocated bytes, or -1
     * @return the statistics
     */
    public ServerStatistics snapshot(int users, long relayAllocatedBytes) {
        return new ServerStatistics(
                users,
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
                droppedForged.get(),
                droppedReplayed.get(),
                voiceAddressesLearned.get(),
                helloAcksSent.get(),
                controlMessagesReceived.get(),
                controlMessagesSent.get(),
                protocolErrors.get(),
                droppedRateLimited.get(),
                voiceSocketFailures.get(),
                pendingConnectionsEvicted.get(),
                renamesUnchanged.get(),
                renamesLimited.get(),
                rostersReplaced.get(),
                clientPortChangesLimited.get(),
                clientPortsRefused.get(),
                logLinesSuppressed.get(),
                mixedFramesSent.get(),
                mixFramesDroppedLate.get(),
                mixFramesDroppedOverflow.get(),
                droppedMuted.get(),
                rosterDeltasSent.get(),
                rostersCoalesced.get(),
                relayAllocatedBytes,
                tunnelledMembers.get(),
                tunnelDatagramsIn.get(),
                tunnelDatagramsOut.get(),
                tunnelDroppedOverflow.get(),
                tunnelDroppedInbound.get(),
                sessionsResumed.get(),
                resumesRefused.get());
    }
}
