package dev.tip.core.internal;

import dev.tip.core.audio.JitterBuffer;
import dev.tip.core.audio.JitterBufferStats;
import dev.tip.core.audio.Mixer;
import dev.tip.core.voice.AudioFormat;
import dev.tip.core.voice.VoiceDatagram;
import java.util.Arrays;

/**
 * The TIP/2 receive side of a client: one {@link JitterBuffer} per speaker (by sender session id),
 * created when the speaker is first heard and removed when it leaves the roster, mixed into one
 * frame per playout call, with a "speaking" state per speaker. At most {@code maxSpeakers}
 * buffers exist, and only for ids in the roster once one with ids has been given.
 *
 * <p>Thread-safe, with one thread per role: the receive thread calls {@link #insert}, the playout
 * thread calls {@link #mixNext}, the control thread calls {@link #retain}; any thread may call
 * {@link #totals()}. The speaker list is copied on change (rare) and read without a lock;
 * {@code insert} and {@code mixNext} allocate nothing once every speaker has its buffer.
 */
public final class Speakers {

    /** Told when a speaker starts or stops speaking; called without any lock of this class held. */
    @FunctionalInterface
    public interface SpeakingListener {
        /**
         * A speaker started or stopped speaking.
         *
         * @param id the speaker's session id
         * @param speaking true when it started
         */
        void speakingChanged(int id, boolean speaking);
    }

    /** {@link #insert} result for a sender that is not (or no longer) in the roster, or over the bound. */
    public static final int UNKNOWN_SENDER = -100;

    private static final Speaker[] NONE = new Speaker[0];

    private final AudioFormat format;
    private final int maxSpeakers;
    private final long speakingHoldNanos;
    private final SpeakingListener speakingListener;
    private final Mixer mixer;
    private final short[] scratch;

    /** Guards changes of {@link #active} and {@link #rosterIds}, and the retired totals. */
    private final Object changes = new Object();

    private volatile Speaker[] active = NONE;
    /** Ids allowed to speak, sorted; null until a roster with ids arrives. */
    private volatile int[] rosterIds;

    private long retiredLate;
    private long retiredMissing;
    private long retiredConcealed;

    /**
     * Creates the receive side.
     *
     * @param format the room's format
     * @param maxSpeakers most buffers at once, at least 1
     * @param speakingHoldNanos how long without a received frame ends "speaking"
     * @param speakingListener told of speaking changes, on the playout or control thread
     */
    public Speakers(AudioFormat format, int maxSpeakers, long speakingHoldNanos, SpeakingListener speakingListener) {
        if (maxSpeakers < 1) {
            throw new IllegalArgumentException("maxSpeakers must be at least 1, was " + maxSpeakers);
        }
        this.format = format;
        this.maxSpeakers = maxSpeakers;
        this.speakingHoldNanos = speakingHoldNanos;
        this.speakingListener = speakingListener;
        this.mixer = new Mixer(format);
        this.scratch = new short[format.frameLength()];
    }

    /**
     * Inserts a checked audio datagram into its sender's buffer, creating the buffer on first
     * hearing.
     *
     * @param d a datagram whose {@link VoiceDatagram#check()} was OK and whose type is audio
     * @param arrivalNanos when it arrived, on the playout clock
     * @return a {@link JitterBuffer} insert result, or {@link #UNKNOWN_SENDER}
     */
    public int insert(VoiceDatagram d, long arrivalNanos) {
        Speaker s = find(d.senderId());
        if (s == null) {
            s = add(d.senderId());
            if (s == null) {
                return UNKNOWN_SENDER;
            }
        }
        return s.buffer.insert(
                d.sequence(),
                d.timestamp(),
                d.marker(),
                d.buffer(),
                d.payloadOffset(),
                d.payloadLength(),
                arrivalNanos);
    }

    private Speaker find(int id) {
        for (Speaker s : active) {
            if (s.id == id) {
                return s;
            }
        }
        return null;
    }

    private Speaker add(int id) {
        synchronized (changes) {
            Speaker s = find(id);
            if (s != null) {
                return s;
            }
            int[] ids = rosterIds;
            Speaker[] now = active;
            if ((ids != null && Arrays.binarySearch(ids, id) < 0) || now.length >= maxSpeakers) {
                return null;
            }
            s = new Speaker(id, JitterBuffer.builder(format).build());
            Speaker[] next = Arrays.copyOf(now, now.length + 1);
            next[now.length] = s;
            active = next;
            return s;
        }
    }

    /**
     * Keeps only the speakers whose ids are in the roster, and from now on accepts only those
     * ids. A removed speaker that was speaking is told to have stopped.
     *
     * @param ids the roster's session ids
     */
    public void retain(int[] ids) {
        int[] sorted = ids.clone();
        Arrays.sort(sorted);
        Speaker[] removed;
        synchronized (changes) {
            rosterIds = sorted;
            Speaker[] now = active;
            Speaker[] kept = new Speaker[now.length];
            removed = new Speaker[now.length];
            int k = 0;
            int r = 0;
            for (Speaker s : now) {
                if (Arrays.binarySearch(sorted, s.id) >= 0) {
                    kept[k++] = s;
                } else {
                    removed[r++] = s;
                    JitterBufferStats st = s.buffer.stats();
                    retiredLate += st.late();
                    retiredMissing += st.missing();
                    retiredConcealed += st.concealed();
                }
            }
            if (r == 0) {
                return;
            }
            active = Arrays.copyOf(kept, k);
            removed = Arrays.copyOf(removed, r);
        }
        for (Speaker s : removed) {
            boolean wasSpeaking;
            synchronized (s) {
                s.removed = true;
                wasSpeaking = s.speaking;
                s.speaking = false;
            }
            if (wasSpeaking) {
                speakingListener.speakingChanged(s.id, false);
            }
        }
    }

    /**
     * Plays one frame from every speaker's buffer and mixes them, saturating. Call once per frame
     * period, from the playout thread.
     *
     * @param nowNanos the current time, on the clock the arrivals were stamped with
     * @param out receives {@code format.frameLength()} samples: the mix, or silence
     * @return how many speakers contributed audio (received or concealed) to the mix
     */
    public int mixNext(long nowNanos, short[] out) {
        mixer.clear();
        int contributing = 0;
        for (Speaker s : active) {
            JitterBuffer.Playout r = s.buffer.playout(nowNanos, scratch);
            if (r != JitterBuffer.Playout.SILENCE) {
                mixer.add(scratch);
                contributing++;
            }
            int change = s.track(r == JitterBuffer.Playout.FRAME, nowNanos, speakingHoldNanos);
            if (change != 0) {
                speakingListener.speakingChanged(s.id, change > 0);
            }
        }
        mixer.mixTo(out);
        return contributing;
    }

    /**
     * Returns how many speakers have a buffer now.
     *
     * @return the count
     */
    public int size() {
        return active.length;
    }

    /**
     * Returns the statistics of one speaker's buffer.
     *
     * @param id the speaker's session id
     * @return the statistics, or null if it has no buffer
     */
    public JitterBufferStats stats(int id) {
        Speaker s = find(id);
        return s == null ? null : s.buffer.stats();
    }

    /**
     * Sums late, missing and concealed frames over every buffer, those of speakers who left
     * included.
     *
     * @return {@code {late, missing, concealed}}
     */
    public long[] totals() {
        long late;
        long missing;
        long concealed;
        Speaker[] now;
        synchronized (changes) {
            late = retiredLate;
            missing = retiredMissing;
            concealed = retiredConcealed;
            now = active;
        }
        for (Speaker s : now) {
            JitterBufferStats st = s.buffer.stats();
            late += st.late();
            missing += st.missing();
            concealed += st.concealed();
        }
        return new long[] {late, missing, concealed};
    }

    private static final class Speaker {
        final int id;
        final JitterBuffer buffer;
        /** Guarded by this speaker's monitor; written by the playout thread, and by retain(). */
        boolean speaking;

        boolean removed;
        long lastFrameNanos;

        Speaker(int id, JitterBuffer buffer) {
            this.id = id;
            this.buffer = buffer;
        }

        /** Returns +1 when speaking starts, -1 when it stops, 0 otherwise. */
        synchronized int track(boolean frame, long now, long holdNanos) {
            if (removed) {
                return 0;
            }
            if (frame) {
                lastFrameNanos = now;
                if (!speaking) {
                    speaking = true;
                    return 1;
                }
            } else if (speaking && now - lastFrameNanos > holdNanos) {
                speaking = false;
                return -1;
            }
            return 0;
        }
    }
}
