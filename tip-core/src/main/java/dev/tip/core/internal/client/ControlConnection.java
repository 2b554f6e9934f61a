package dev.tip.core.internal.client;

import dev.tip.core.internal.SessionEvent;
import dev.tip.core.protocol.ControlDecoder;
import dev.tip.core.protocol.ControlMessage;
import dev.tip.core.protocol.ProtocolException;
import dev.tip.core.protocol.TunnelFramer;
import dev.tip.core.protocol.TunnelQueue;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's control connection, on one thread ({@code tip-client-N-control}): it reads the
 * TCP stream into a {@link ControlDecoder} and hands each message to a {@link Callback} (as OkHttp's
 * {@code WebSocketReader} hands frames to its {@code FrameCallback}), and it writes what {@link
 * #send} queued. Sending never blocks the caller: the bytes go into a bounded queue that the
 * control thread writes as the socket takes them, so a server that stops reading can never stall
 * an application thread; a queue that would grow past its bound refuses the message instead.
 *
 * <p>Threads: the selector, the decoder and the read buffer are confined to the control thread.
 * The send queue is guarded by its own monitor, the innermost lock of the client, held only for
 * queue operations and non-blocking writes; the callback is never called with it held.
 */
public final class ControlConnection {
    private static final Logger log = LoggerFactory.getLogger(ControlConnection.class);

    /** Bytes read from the connection at a time. */
    private static final int READ_BYTES = 4096;

    /** What the control thread reports. Called on the control thread, never with a lock held. */
    public interface Callback {
        /**
         * A complete message from the server.
         *
         * @param m the message
         * @return true to go on reading, false when the session has ended
         */
        boolean onMessage(ControlMessage m);

        /**
         * The connection ended: the server closed it, it broke, or the stream is out of step.
         * Not called after {@link #close()}.
         *
         * @param event CONNECTION_LOST or PROTOCOL_VIOLATION
         * @param detail why, in words
         */
        void onEnd(SessionEvent event, String detail);

        /**
         * A voice datagram the server sent through the control connection (a tunnel frame).
         * The bytes are valid only during the call.
         *
         * @param buf the bytes
         * @param off where the datagram starts
         * @param len its length
         */
        default void onDatagram(byte[] buf, int off, int len) {}
    }

    /** Voice datagrams queued for the tunnel at most (about 0.8 s of 25.6 ms frames). */
    static final int TUNNEL_SLOTS = 32;

    private final String name;
    private final SocketChannel channel;
    private final Callback callback;
    private final int maxQueuedBytes;
    private final Selector selector;

    /** Guards the fields below it. */
    private final Object queueLock = new Object();

    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    /** Voice for the tunnel: its own bounded queue, oldest dropped (docs/protocol.md, the tunnel). */
    private final TunnelQueue voice = new TunnelQueue(TUNNEL_SLOTS, TunnelFramer.MAX_DATAGRAM);
    /** The tunnel frame being written; while it is partly written nothing else may be. */
    private ByteBuffer voiceOut;

    private boolean voiceInFlight;
    private int queuedBytes;
    private boolean finishRequested;
    private boolean outputShut;
    private volatile boolean closed;

    /**
     * Wraps a connected channel; nothing happens until {@link #run()} runs on a thread.
     *
     * @param name the client's name, for logs
     * @param channel a connected socket channel, in blocking mode or not
     * @param callback where messages and the end go
     * @param maxQueuedBytes the most bytes that may wait to be written
     * @throws IOException if no selector can be opened or the channel not registered
     */
    public ControlConnection(String name, SocketChannel channel, Callback callback, int maxQueuedBytes)
            throws IOException {
        this.name = name;
        this.channel = channel;
        this.callback = callback;
        this.maxQueuedBytes = maxQueuedBytes;
        this.selector = Selector.open();
        try {
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
        } catch (IOException | RuntimeException e) {
            selector.close();
            throw e;
        }
    }

    /**
     * Queues bytes to be written, without blocking.
     *
     * @param bytes one or more encoded messages, written in one piece
     * @return false if the connection is closed or finishing, or the queue would pass its bound
     */
    public boolean send(byte[] bytes) {
        synchronized (queueLock) {
            if (closed || finishRequested || queuedBytes + bytes.length > maxQueuedBytes) {
                return false;
            }
            queue.add(ByteBuffer.wrap(bytes));
            queuedBytes += bytes.length;
        }
        selector.wakeup();
        return true;
    }

    /**
     * Queues a voice datagram for the tunnel, without blocking: copied, framed, and written whole
     * between control messages, which go first; if the queue is full its oldest datagram is
     * dropped (and counted in {@link #tunnelDropped()}).
     *
     * @param datagram the datagram, position to limit (left as they were)
     * @return false if the connection is closed or finishing, or the datagram cannot be framed
     */
    public boolean sendDatagram(ByteBuffer datagram) {
        if (closed || finishRequested) {
            return false;
        }
        int r = voice.offer(datagram);
        if (r == TunnelQueue.QUEUED_FIRST) {
            selector.wakeup();
        }
        return r >= 0;
    }

    /**
     * Voice datagrams dropped, oldest first, because the tunnel's queue was full.
     *
     * @return the count
     */
    public long tunnelDropped() {
        return voice.dropped();
    }

    /**
     * Closes the sending side once everything queued has been written (a FIN after the last
     * message); reading goes on until the server closes its end.
     */
    public void finish() {
        synchronized (queueLock) {
            finishRequested = true;
        }
        selector.wakeup();
    }

    /** Closes the connection now; what is still queued is lost. Idempotent; any thread. */
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("{}: closing the control connection failed: {}", name, e.toString());
        }
    }

    /** The control thread's loop: select, write what is queued, read and dispatch. */
    public void run() {
        ControlDecoder decoder = new ControlDecoder();
        TunnelFramer framer = new TunnelFramer();
        TunnelFramer.Sink sink = new TunnelFramer.Sink() {
            @Override
            public boolean control(byte[] buf, int off, int len) {
                decoder.feed(buf, off, len);
                return drain(decoder);
            }

            @Override
            public boolean datagram(byte[] buf, int off, int len) {
                callback.onDatagram(buf, off, len);
                return true;
            }
        };
        ByteBuffer in = ByteBuffer.allocate(READ_BYTES);
        SelectionKey key = channel.keyFor(selector);
        try {
            while (!closed) {
                selector.select();
                if (closed) {
                    return;
                }
                boolean readable = selector.selectedKeys().remove(key) && key.isReadable();
                key.interestOps(write() ? SelectionKey.OP_READ : SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                if (!readable) {
                    continue;
                }
                int n = channel.read(in);
                if (n < 0) {
                    // every complete message has been handled; one cut off by the end is lost with
                    // the connection, it is not a protocol error
                    end(SessionEvent.CONNECTION_LOST, "the server closed the connection");
                    return;
                }
                boolean going = framer.split(in.array(), 0, n, sink);
                in.clear();
                if (!going) {
                    if (framer.error() != null) {
                        end(SessionEvent.PROTOCOL_VIOLATION, framer.error());
                    }
                    return;
                }
            }
        } catch (IOException e) {
            end(SessionEvent.CONNECTION_LOST, "the connection broke: " + e.getMessage());
        } catch (RuntimeException e) {
            log.error("{}: control thread failed", name, e);
            end(SessionEvent.PROTOCOL_VIOLATION, "internal error: " + e);
        } finally {
            try {
                selector.close();
            } catch (IOException e) {
                log.debug("{}: closing the selector failed: {}", name, e.toString());
            }
        }
    }

    private void end(SessionEvent event, String detail) {
        if (!closed) {
            callback.onEnd(event, detail);
        }
    }

    /** Writes what the socket takes now; true if nothing is left queued. */
    private boolean write() throws IOException {
        synchronized (queueLock) {
            while (true) {
                if (voiceInFlight) {
                    channel.write(voiceOut);
                    if (voiceOut.hasRemaining()) {
                        return false;
                    }
                    voiceInFlight = false;
                }
                ByteBuffer head = queue.peek();
                if (head != null) {
                    // control first: a message waits behind at most the one frame being written
                    queuedBytes -= channel.write(head);
                    if (head.hasRemaining()) {
                        return false;
                    }
                    queue.poll();
                    continue;
                }
                if (finishRequested || voice.isEmpty()) {
                    break;
                }
                if (voiceOut == null) {
                    voiceOut = voice.newFrameBuffer();
                }
                if (!voice.takeInto(voiceOut)) {
                    break;
                }
                voiceInFlight = true;
            }
            if (finishRequested && !outputShut) {
                outputShut = true;
                channel.shutdownOutput();
            }
            return true;
        }
    }

    /** Handles every complete message; returns false when the session has ended. */
    private boolean drain(ControlDecoder decoder) {
        while (true) {
            ControlMessage m;
            try {
                m = decoder.next();
            } catch (ProtocolException e) {
                if (e.isRecoverable()) {
                    // an original peer ignores a message it cannot use; so do we
                    log.debug("{}: ignoring a control message: {}", name, e.getMessage());
                    continue;
                }
                end(SessionEvent.PROTOCOL_VIOLATION, e.getMessage());
                return false;
            }
            if (m == null) {
                return true;
            }
            if (!callback.onMessage(m)) {
                return false;
            }
        }
    }
}
