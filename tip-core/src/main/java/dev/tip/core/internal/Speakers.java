package dev.tip.core.internal;

import dev.tip.core.audio.JitterBuffer;
import dev.tip.core.audio.JitterBufferStats;
import dev.tip.core.audio.Mixer;
import dev.tip.core.audio.VoiceCodec;
import dev.tip.core.voice.AudioFormat;
import dev.tip.core.voice.PayloadType;
import dev.tip.core.voice.VoiceDatagram;
import java.util.Arrays;
import java.util.List;

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
    /** {@link #insert} result for a payload type this client cannot play, or not the speaker's own. */
    public static final int WRONG_PAYLOAD = -101;
    /** {@link #insert} result for a codec packet that did not decode. */
    public static final int CORRUPT = -102;

    private static final Speaker[] NONE = new Speaker[0];

    private final AudioFormat format;
    private final int maxSpeakers;
    private final long speakingHoldNanos;
    private final SpeakingListener speakingListener;
    private final Mixer mixer;
    private final short[] scratch;
    /** Codecs by payload type; PCM (0) has none. */
    private final VoiceCodec[] codecByType = new VoiceCodec[16];

    /** Guards changes of {@link #active} and {@link #rosterIds}, and the retired totals. */
    private final Object changes = new Object();

    private volatile Speaker[] active = NONE;
    /** Ids allowed to speak, sorted; null until a roster with ids arrives. */
    private volatile int[] rosterIds;

    /** Volumes set by id, also for speakers not heard yet; guarded by {@link #changes}. */
    private final java.util.HashMap<Integer, Float> gains = new java.util.HashMap<>();

    /**
     * Whether the decoders rebuild lost packets: only once this listener reported loss, after
     * which the server asks the speakers to carry in-band FEC. Without FEC in the stream Opus's
     * rebuilding is its concealment, which leaves the next decoded frame distorted (measured on a
     * tone: rms 931 where the tone's is 5500), worse than the jitter buffer's concealment.
     */
    private volatile boolean rebuildLost;

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
        this(format, maxSpeakers, speakingHoldNanos, speakingListener, List.of());
    }

    /**
     * Creates the receive side, with decoders for codec payloads.
     *
     * @param format the room's format
     * @param maxSpeakers most buffers at once, at least 1
     * @param speakingHoldNanos how long without a received frame ends "speaking"
     * @param speakingListener told of speaking changes, on the playout or control thread
     * @param codecs the codecs this client decodes (by payload type); PCM needs none
     */
    public Speakers(
            AudioFormat format,
            int maxSpeakers,
            long speakingHoldNanos,
            SpeakingListener speakingListener,
            List<VoiceCodec> codecs) {
        for (VoiceCodec c : codecs) {
            if (c.payloadType() >= 0 && c.payloadType() < codecByType.length && c.supports(format)) {
                codecByType[c.payloadType()] = c;
            }
        }
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
        int type = d.payloadType();
        if (type != PayloadType.PCM && (type >= codecByType.length || codecByType[type] == null)) {
            return WRONG_PAYLOAD;
        }
        Speaker s = find(d.senderId());
        if (s == null) {
            s = add(d.senderId(), type);
            if (s == null) {
                return UNKNOWN_SENDER;
            }
        }
        if (s.payloadType != type) {
            return WRONG_PAYLOAD;
        }
        if (s.decoder == null) {
            return s.buffer.insert(
                    d.sequence(),
                    d.timestamp(),
                    d.marker(),
                    d.buffer(),
                    d.payloadOffset(),
                    d.payloadLength(),
                    arrivalNanos);
        }
        return s.decodeAndInsert(d, arrivalNanos, rebuildLost);
    }

    private Speaker find(int id) {
        for (Speaker s : active) {
            if (s.id == id) {
                return s;
            }
        }
        return null;
    }

    private Speaker add(int id, int payloadType) {
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
            VoiceCodec codec = payloadType == PayloadType.PCM ? null : codecByType[payloadType];
            s = codec == null
                    ? new Speaker(id, JitterBuffer.builder(format).build(), PayloadType.PCM, null, format)
                    : new Speaker(
                            id,
                            JitterBuffer.builder(
                                            new AudioFormat(format.sampleRate(), 1, 16, codec.packetSamples(format)))
                                    .build(),
                            payloadType,
                            codec,
                            format);
            s.gain = gains.getOrDefault(id, 1.0f);
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
     * Plays one frame from every speaker's buffer and mixes them, saturating: {@code mixNext(now,
     * out, format.frameLength())}.
     *
     * @param nowNanos the current time, on the clock the arrivals were stamped with
     * @param out receives {@code format.frameLength()} samples: the mix, or silence
     * @return how many speakers contributed audio (received or concealed) to the mix
     */
    public int mixNext(long nowNanos, short[] out) {
        return mixNext(nowNanos, out, format.frameLength());
    }

    /**
     * Plays the next {@code length} samples from every speaker's buffer and mixes them,
     * saturating. Call it at the pace of the samples (a part of a frame every part's duration),
     * from the playout thread: the shorter the part, the later each sample is decided.
     *
     * @param nowNanos the current time, on the clock the arrivals were stamped with
     * @param out receives {@code length} samples from index 0: the mix, or silence
     * @param length samples, 1 .. {@code format.frameLength()}, a multiple of the channel count
     * @return how many speakers contributed audio (received or concealed) to the mix
     */
    public int mixNext(long nowNanos, short[] out, int length) {
        mixer.clear();
        int contributing = 0;
        for (Speaker s : active) {
            JitterBuffer.Playout r = s.buffer.playout(nowNanos, scratch, 0, length);
            if (r != JitterBuffer.Playout.SILENCE) {
                mixer.add(scratch, 0, length, s.gain);
                contributing++;
            }
            int change = s.track(r == JitterBuffer.Playout.FRAME, nowNanos, speakingHoldNanos);
            if (change != 0) {
                speakingListener.speakingChanged(s.id, change > 0);
            }
        }
        mixer.mixTo(out, 0, length);
        return contributing;
    }

    /**
     * Sets the volume at which one speaker is mixed, now and whenever it is heard again.
     *
     * @param id the speaker's session id
     * @param gain linear gain, 0 (silent) to 4; 1 plays it as received
     */
    public void setVolume(int id, float gain) {
        if (!(gain >= 0 && gain <= 4)) {
            throw new IllegalArgumentException("volume must be 0..4, was " + gain);
        }
        synchronized (changes) {
            if (gain == 1.0f) {
                gains.remove(id);
            } else {
                gains.put(id, gain);
            }
            Speaker s = find(id);
            if (s != null) {
                s.gain = gain;
            }
        }
    }

    /**
     * The volume of one speaker.
     *
     * @param id the speaker's session id
     * @return the gain, 1 unless set
     */
    public float volume(int id) {
        synchronized (changes) {
            return gains.getOrDefault(id, 1.0f);
        }
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
     * Returns the highest share of codec packets lost, over the speakers heard, since the last
     * call: what this listener reports to the server so that the speakers' encoders protect
     * their packets (Opus in-band FEC) as much as the worst listener needs. Call it from one
     * thread, every few seconds.
     *
     * @return percent, 0..100, rounded up; 0 when nothing was received
     */
    public int lossPercent() {
        int worst = 0;
        for (Speaker s : active) {
            long got = s.received - s.reportedReceived;
            long lost = s.lostBefore - s.reportedLost;
            s.reportedReceived += got;
            s.reportedLost += lost;
            if (got + lost > 0) {
                worst = Math.max(worst, (int) Math.min(100, (lost * 100 + got + lost - 1) / (got + lost)));
            }
        }
        return worst;
    }

    /**
     * Turns rebuilding of lost codec packets on or off: on while the
     * speakers are expected to carry in-band FEC, that is while this listener reports loss.
     *
     * @param rebuild true to rebuild single lost packets from the next one's FEC
     */
    public void rebuildLost(boolean rebuild) {
        this.rebuildLost = rebuild;
    }

    /**
     * Returns how many lost codec packets the decoders rebuilt (from the next packet's in-band FEC
     * or by the codec's own concealment) in time to be played, over the speakers heard now.
     *
     * @return the count
     */
    public long rebuilt() {
        long n = 0;
        for (Speaker s : active) {
            n += s.rebuilt;
        }
        return n;
    }

    /**
     * Sums late, missing and concealed frames over every buffer, those of speakers who left
     * included, and gives the largest current delay of the buffers that have played.
     *
     * @return {@code {late, missing, concealed, delayNanos}}, the delay -1 with no such buffer
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
        long delay = -1;
        for (Speaker s : now) {
            JitterBufferStats st = s.buffer.stats();
            late += st.late();
            missing += st.missing();
            concealed += st.concealed();
            if (st.played() > 0) {
                delay = Math.max(delay, st.currentDelayNanos());
            }
        }
        return new long[] {late, missing, concealed, delay};
    }

    private static final class Speaker {
        final int id;
        final JitterBuffer buffer;
        final int payloadType;
        // a codec speaker's decoding state, confined to the receive thread
        final VoiceCodec.Decoder decoder;
        final int packetSamples;
        final int clockRate;
        final int roomRate;
        final byte[] packet;
        final short[] decoded;
        final int packetDuration;
        boolean any;
        /**
         * Codec packets received, lost before a later one arrived, and rebuilt by the decoder:
         * written by the receive thread only, read by others.
         */
        volatile long received;

        volatile long lostBefore;
        volatile long rebuilt;
        /** What {@link Speakers#lossPercent()} saw last time; confined to its caller. */
        long reportedReceived;

        long reportedLost;
        int lastSequence;
        long lastTimestamp;
        long unwrapped;
        /** The listener's volume for this speaker, 1 as received. */
        volatile float gain = 1.0f;

        /** Guarded by this speaker's monitor; written by the playout thread, and by retain(). */
        boolean speaking;

        boolean removed;
        long lastFrameNanos;

        Speaker(int id, JitterBuffer buffer, int payloadType, VoiceCodec codec, AudioFormat room) {
            this.id = id;
            this.buffer = buffer;
            this.payloadType = payloadType;
            this.decoder = codec == null ? null : codec.newDecoder(room);
            this.packetSamples = codec == null ? 0 : codec.packetSamples(room);
            this.clockRate = codec == null ? room.sampleRate() : codec.clockRate();
            this.roomRate = room.sampleRate();
            this.packet = codec == null ? null : new byte[VoiceSender.MAX_PAYLOAD];
            this.decoded = codec == null ? null : new short[packetSamples];
            this.packetDuration = codec == null ? 0 : codec.packetDuration();
        }

        /**
         * Decodes a codec packet at arrival and inserts its samples, with timestamps at the room's
         * rate. A late or repeated packet is dropped (decoding it out of order would disturb the
         * decoder's state). With {@code rebuildLost}, packets lost just before are rebuilt.
         */
        int decodeAndInsert(VoiceDatagram d, long arrivalNanos, boolean rebuildLost) {
            int seq = d.sequence();
            long ts = d.timestamp();
            int length = d.payloadLength();
            if (length > packet.length) {
                return CORRUPT;
            }
            int ahead = 1;
            int step = 0;
            if (any) {
                ahead = (seq - lastSequence) & 0xFFFF;
                if (ahead == 0) {
                    return JitterBuffer.DUPLICATE;
                }
                if (ahead > 0x8000) {
                    return JitterBuffer.LATE;
                }
                step = (int) (ts - lastTimestamp);
                unwrapped += step;
            } else {
                unwrapped = ts;
            }
            boolean first = !any;
            any = true;
            lastSequence = seq;
            lastTimestamp = ts;
            received++;
            d.buffer().get(d.payloadOffset(), packet, 0, length);
            long roomTs = Math.floorDiv(unwrapped * roomRate, clockRate);
            if (!first && ahead > 1) {
                lostBefore += ahead - 1;
                // one packet lost inside a talk spurt (numbers and time contiguous): the decoder
                // rebuilds it from this packet's in-band FEC. A longer gap is left to the jitter
                // buffer's concealment: through bursts Opus's own concealment of the packets before
                // the last held a tone in 73% of frames where the buffer's held it in 97%
                // (OpusFecTest's relay, measured)
                if (rebuildLost && ahead == 2 && !d.marker() && step == 2 * packetDuration) {
                    if (decoder.recover(packet, 0, length, decoded)) {
                        insertRebuilt(seq - 1, roomTs - packetSamples, arrivalNanos);
                    }
                }
            }
            if (!decoder.decode(packet, 0, length, decoded)) {
                return CORRUPT;
            }
            return buffer.insert(seq, roomTs & 0xFFFF_FFFFL, d.marker(), decoded, 0, packetSamples, arrivalNanos);
        }

        private void insertRebuilt(int seq, long roomTs, long arrivalNanos) {
            int r = buffer.insert(seq & 0xFFFF, roomTs & 0xFFFF_FFFFL, false, decoded, 0, packetSamples, arrivalNanos);
            if (r == JitterBuffer.INSERTED) {
                rebuilt++;
            }
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
