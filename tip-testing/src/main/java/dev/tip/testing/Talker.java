package dev.tip.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A witness that talks: sends marked 1024-byte frames through a {@link RawPeer} at the original
 * client's pace (one per 25.6 ms) on its own thread until {@link #stop()}.
 */
public final class Talker implements AutoCloseable {

    public static final long FRAME_NANOS = 25_600_000L;

    private final RawPeer peer;
    private final int mark;
    private final AtomicInteger sent = new AtomicInteger();
    private final Thread thread;
    private volatile boolean running = true;

    public Talker(RawPeer peer, int mark) {
        this.peer = peer;
        this.mark = mark;
        thread = new Thread(this::run, "talker-" + mark);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        byte[] frame = new byte[RawPeer.FRAME_BYTES];
        long next = System.nanoTime();
        try {
            while (running) {
                peer.sendMarked(mark, sent.get(), frame);
                sent.incrementAndGet();
                next += FRAME_NANOS;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                } else if (wait < -TimeUnit.MILLISECONDS.toNanos(500)) {
                    next = System.nanoTime(); // a stalled machine: do not burst to catch up
                }
            }
        } catch (IOException e) {
            if (running) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public int sent() {
        return sent.get();
    }

    /** Stops talking and returns how many frames were sent. */
    public int stop() {
        running = false;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return sent.get();
    }

    @Override
    public void close() {
        stop();
    }
}
