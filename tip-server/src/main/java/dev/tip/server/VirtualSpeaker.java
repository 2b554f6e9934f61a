package dev.tip.server;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A virtual member that an application speaks through ({@link TipServer#addVirtualSpeaker}): a
 * bot, an announcement, a recording played back. It is in a room's roster like anyone, with a
 * session id, and everyone in the room hears what it plays: TIP/2 listeners as one more speaker,
 * original listeners through their mix (or as datagrams, with mixing off). It hears nothing.
 *
 * <p>{@link #play} queues PCM in the room format (signed 16-bit mono, 20 000 Hz); the server
 * sends it at the room's pace, one 512-sample frame every 25.6 ms, from a thread of its own.
 * {@link #close()} takes it out of the room. Thread-safe.
 */
public final class VirtualSpeaker implements AutoCloseable {

    /** Samples per frame: the room's 512. */
    public static final int FRAME_SAMPLES = 512;
    /** Most frames waiting to be sent: {@value} (about 10 s). */
    public static final int MAX_QUEUED_FRAMES = 400;

    private static final long PERIOD_MICROS = 25_600;

    private final int id;
    private final String name;
    private final String room;
    private final Consumer<byte[]> send;
    private final Runnable remove;
    private final ArrayBlockingQueue<byte[]> frames = new ArrayBlockingQueue<>(MAX_QUEUED_FRAMES);
    private final ScheduledExecutorService pacer;
    private short[] partial = new short[FRAME_SAMPLES];
    private int partialLength;
    private volatile boolean closed;

    VirtualSpeaker(int id, String name, String room, Consumer<byte[]> send, Runnable remove, int port) {
        this.id = id;
        this.name = name;
        this.room = room;
        this.send = send;
        this.remove = remove;
        this.pacer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tip-server-speaker-" + port + "-" + id);
            t.setDaemon(true);
            return t;
        });
        pacer.scheduleAtFixedRate(this::tick, PERIOD_MICROS, PERIOD_MICROS, TimeUnit.MICROSECONDS);
    }

    /**
     * Returns its session id (the sender id TIP/2 listeners see).
     *
     * @return the id
     */
    public int id() {
        return id;
    }

    /**
     * Returns its nickname.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Returns the room it speaks in.
     *
     * @return the room's name
     */
    public String room() {
        return room;
    }

    /**
     * Queues samples to be heard; whole frames go out at the room's pace, a remainder waits for
     * the next call (or {@link #flush()}).
     *
     * @param pcm samples in the room format
     * @return false if the queue had no room for all of them (the rest are dropped)
     * @throws IllegalStateException after {@link #close()}
     */
    public synchronized boolean play(short[] pcm) {
        if (closed) {
            throw new IllegalStateException("virtual speaker " + name + " is closed");
        }
        boolean all = true;
        for (short sample : pcm) {
            partial[partialLength++] = sample;
            if (partialLength == FRAME_SAMPLES) {
                all &= queue();
            }
        }
        return all;
    }

    /**
     * Sends a remainder shorter than a frame, padded with silence.
     *
     * @return false if the queue was full
     */
    public synchronized boolean flush() {
        if (partialLength == 0) {
            return true;
        }
        java.util.Arrays.fill(partial, partialLength, FRAME_SAMPLES, (short) 0);
        partialLength = FRAME_SAMPLES;
        return queue();
    }

    /**
     * Returns how many frames wait to be sent.
     *
     * @return frames queued
     */
    public int queuedFrames() {
        return frames.size();
    }

    private boolean queue() {
        byte[] b = new byte[2 * FRAME_SAMPLES];
        for (int i = 0; i < FRAME_SAMPLES; i++) {
            b[2 * i] = (byte) partial[i];
            b[2 * i + 1] = (byte) (partial[i] >> 8);
        }
        partialLength = 0;
        return frames.offer(b);
    }

    private void tick() {
        byte[] f = frames.poll();
        if (f != null && !closed) {
            send.accept(f);
        }
    }

    /** Takes the speaker out of the room (the others get the roster); idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        pacer.shutdownNow();
        frames.clear();
        remove.run();
    }

    @Override
    public String toString() {
        return "VirtualSpeaker[" + id + " " + name + " in " + room + "]";
    }
}
