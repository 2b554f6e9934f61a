package dev.tip.server.internal;

import dev.tip.core.protocol.ControlDecoder;
import dev.tip.core.protocol.TunnelFramer;
import dev.tip.core.protocol.TunnelQueue;
import dev.tip.server.LeaveReason;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;

/**
 * One TCP peer of the control loop: its decoder, its bounded outbound queue, its handshake,
 * write and linger deadlines, and where it is in its life (handshaking, member, closing, closed).
 * A write never blocks: what the socket does not take at once waits in the queue, and a peer
 * whose queue would pass its bound, or whose queued bytes wait longer than the write timeout, is
 * to be dropped.
 *
 * <p>Threading: confined to the control thread. Works on any {@link ByteChannel} (a socket in
 * the server, an in-memory channel in tests); the selection key is null when not registered.
 */
final class Connection {

    /** What {@link #enqueue} and {@link #flush} did. */
    enum Write {
        /** Everything written or queued. */
        OK,
        /** The queue would pass its bound: nothing queued. */
        FULL,
        /** The channel failed: the connection is lost. */
        FAILED
    }

    /** Which deadline has passed, as {@link #expiry} sees it. */
    enum Expiry {
        /** None. */
        NONE,
        /** Closing, and the peer had its linger time to read the last message. */
        LINGER,
        /** No valid nickname within the handshake timeout. */
        HANDSHAKE,
        /** Queued bytes waited longer than the write timeout. */
        WRITE
    }

    final ByteChannel channel;
    final InetSocketAddress remote;
    final ControlDecoder decoder;
    final long acceptedAt;
    private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
    private long queued;
    /** The roster at the end of the queue, or null if the end is something else. */
    private ByteBuffer unsentRoster;
    /** Rosters replaced by a newer one before a byte of them was sent. */
    long replacedRosters;

    private long stalledSince;
    SelectionKey key;
    /** The session id once joined, else -1. */
    int id = -1;
    /** CLIENT_PORT announced before joining, or 0. */
    int voicePort;
    /** Not joined, and counted among the pending handshakes. */
    boolean handshaking = true;
    /** Last message queued, reading stopped: closes once the queue is written or the linger ends. */
    boolean closing;

    long closeDeadline;
    boolean outputShut;
    boolean closed;
    /** Set when queued for a hard close, with the reason it leaves. */
    LeaveReason doomed;
    /** Log lines about this peer's bad input still allowed (shared by its address). */
    TokenBucket logBudget;
    /** Splits tunnel frames off the stream before the decoder (docs/protocol.md, the tunnel). */
    final TunnelFramer framer = new TunnelFramer();
    /**
     * The voice tunnel's queue (filled by the relay thread) once the member negotiated it, else
     * null; its token tells the relay which registration a tunnelled datagram belongs to.
     */
    TunnelQueue tunnel;

    long tunnelToken;
    /** The tunnel frame being written; while it is partly written nothing else may be. */
    private ByteBuffer voiceOut;

    private boolean voiceInFlight;

    Connection(ByteChannel channel, InetSocketAddress remote, ControlDecoder decoder, long now) {
        this.channel = channel;
        this.remote = remote;
        this.decoder = decoder;
        this.acceptedAt = now;
    }

    /** True while messages may still be queued to it. */
    boolean open() {
        return !closing && !closed && doomed == null;
    }

    /** Bytes waiting in the queue. */
    long queued() {
        return queued;
    }

    /**
     * Writes {@code bytes} now, or queues what the channel does not take.
     *
     * @param bytes one message
     * @param now the time, for the write timeout
     * @param limit most bytes the queue may hold
     * @return what happened
     */
    Write enqueue(ByteBuffer bytes, long now, long limit) {
        return enqueue(bytes, now, limit, false);
    }

    /**
     * Writes {@code bytes} now, or queues what the channel does not take; a roster replaces a
     * roster still wholly unsent at the end of the queue (the newer one says all the older did).
     *
     * @param bytes one message
     * @param now the time, for the write timeout
     * @param limit most bytes the queue may hold
     * @param roster whether {@code bytes} is a roster
     * @return what happened
     */
    Write enqueue(ByteBuffer bytes, long now, long limit, boolean roster) {
        if (!out.isEmpty() || voiceInFlight) {
            ByteBuffer last = out.peekLast();
            if (roster && last != null && last == unsentRoster && last.position() == 0) {
                out.pollLast();
                queued -= last.remaining();
                replacedRosters++;
            }
            if (queued + bytes.remaining() > limit) {
                return Write.FULL;
            }
            if (out.isEmpty()) {
                // behind a tunnel frame partly written: the write timeout runs from now
                stalledSince = now;
            }
            out.add(bytes);
            queued += bytes.remaining();
            unsentRoster = roster ? bytes : null;
            return Write.OK;
        }
        unsentRoster = null;
        try {
            channel.write(bytes);
        } catch (IOException e) {
            return Write.FAILED;
        }
        if (bytes.hasRemaining()) {
            out.add(bytes);
            // partly written already: never replaced
            unsentRoster = null;
            queued = bytes.remaining();
            stalledSince = now;
            interest(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
        return Write.OK;
    }

    /**
     * Writes as much of the queue as the channel takes; once it is empty, shuts the output of a
     * closing connection.
     *
     * @param now the time, for the write timeout
     * @return {@link Write#OK} unless the channel failed
     */
    Write flush(long now) {
        try {
            while (true) {
                if (voiceInFlight) {
                    if (channel.write(voiceOut) > 0) {
                        stalledSince = now;
                    }
                    if (voiceOut.hasRemaining()) {
                        interest(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                        return Write.OK;
                    }
                    voiceInFlight = false;
                }
                ByteBuffer b = out.peek();
                if (b != null) {
                    // control first: a message waits behind at most the one frame being written
                    int n = channel.write(b);
                    if (n > 0) {
                        queued -= n;
                        stalledSince = now;
                    }
                    if (b.hasRemaining()) {
                        interest(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                        return Write.OK;
                    }
                    if (out.poll() == unsentRoster) {
                        unsentRoster = null;
                    }
                    continue;
                }
                if (tunnel == null || closing || !takeVoice()) {
                    break;
                }
            }
            if (closing) {
                shutOutput();
            } else {
                interest(SelectionKey.OP_READ);
            }
            return Write.OK;
        } catch (IOException e) {
            return Write.FAILED;
        }
    }

    /** Moves the oldest tunnelled datagram into the frame being written; false if none waits. */
    private boolean takeVoice() {
        if (tunnel.isEmpty()) {
            return false;
        }
        if (voiceOut == null) {
            voiceOut = tunnel.newFrameBuffer();
        }
        voiceInFlight = tunnel.takeInto(voiceOut);
        return voiceInFlight;
    }

    /**
     * Starts a lingering close: nothing more is read or queued; the output is shut once the
     * queue is written.
     *
     * @param deadline when to close even if the peer has not read it all
     * @return {@link Write#OK} unless the channel failed
     */
    Write beginClose(long deadline) {
        closing = true;
        closeDeadline = deadline;
        if (out.isEmpty() && !voiceInFlight) {
            try {
                shutOutput();
            } catch (IOException e) {
                return Write.FAILED;
            }
        }
        return Write.OK;
    }

    private void shutOutput() throws IOException {
        if (outputShut) {
            return;
        }
        if (channel instanceof SocketChannel s) {
            s.shutdownOutput();
        }
        outputShut = true;
        interest(SelectionKey.OP_READ);
    }

    /**
     * Which deadline has passed at {@code now}.
     *
     * @param now the time
     * @param handshakeMillis the handshake timeout
     * @param writeMillis the write timeout
     * @return the expiry, {@link Expiry#NONE} if none
     */
    Expiry expiry(long now, long handshakeMillis, long writeMillis) {
        if (closed || doomed != null) {
            return Expiry.NONE;
        }
        if (closing) {
            return now >= closeDeadline ? Expiry.LINGER : Expiry.NONE;
        }
        if (handshaking && now - acceptedAt >= handshakeMillis) {
            return Expiry.HANDSHAKE;
        }
        if (queued > 0 && now - stalledSince >= writeMillis) {
            return Expiry.WRITE;
        }
        return Expiry.NONE;
    }

    /** Closes the channel and drops the queue. Idempotent. */
    void close() {
        closed = true;
        out.clear();
        unsentRoster = null;
        queued = 0;
        try {
            channel.close();
        } catch (IOException e) {
            // nothing more to do: the peer is gone either way
        }
    }

    private void interest(int ops) {
        if (key != null && key.isValid()) {
            key.interestOps(ops);
        }
    }

    @Override
    public String toString() {
        return remote + (id >= 0 ? " (id " + id + ")" : "");
    }
}
