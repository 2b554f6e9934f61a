package dev.tip.bench;

import dev.tip.audio.OpusCodec;
import dev.tip.audio.OpusFrameDecoder;
import dev.tip.core.audio.DelayEstimator;
import dev.tip.core.audio.JitterBuffer;
import dev.tip.core.audio.VoiceCodec;
import dev.tip.core.voice.AudioFormat;
import dev.tip.testing.ArtificialVoice;
import dev.tip.testing.netsim.NetworkModel;
import dev.tip.testing.netsim.Trace;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What Opus in-band FEC buys a listener, against concealment alone, on a speech-like signal
 * ({@link ArtificialVoice}) and on a steady tone: the question issue 10 left open (on a tone,
 * rebuilding lost packets from FEC was worse than the jitter buffer's concealment).
 *
 * <p>For each signal, loss model and seed, the signal is encoded once as a speaker in an Opus room
 * encodes it (tip-audio's {@link OpusCodec}, 24 kbit/s, 20 ms packets, the encoder's expected loss
 * set to the model's loss as the loss feedback sets it, which turns FEC on). The packets are
 * decoded five ways and played through the client's {@link JitterBuffer} at a constant network
 * delay, so that the buffer's concealment is the client's own:
 *
 * <ul>
 *   <li>{@code reference}: every packet decoded (no loss), the yardstick.
 *   <li>{@code buffer}: lost packets are skipped; the jitter buffer conceals them (the client with
 *       rebuilding off).
 *   <li>{@code plc}: Opus's own concealment for every lost packet.
 *   <li>{@code fec+plc}: Opus's concealment for a gap's first packets, the last one rebuilt from
 *       the next packet's FEC (what libopus recommends).
 *   <li>{@code fec1+buffer}: a single lost packet rebuilt from the next one whatever it holds,
 *       longer gaps left to the buffer (the client before it read the LBRR flag).
 *   <li>{@code lbrr1+buffer}: a single lost packet rebuilt only when the next packet carries FEC
 *       ({@code OpusFrameDecoder.carriesFec}), the rest left to the buffer (the client now, once
 *       the listener reported loss: {@code Speakers.rebuildLost}).
 *   <li>{@code lbrr+buffer}: the last lost packet of any gap rebuilt when the next packet carries
 *       FEC, the rest left to the buffer.
 * </ul>
 *
 * <p>Judged on the windows a loss touches (each lost packet and the two after a gap), where the
 * reference has voice (rms above 300): segmental SNR against the reference (per 20 ms window,
 * clamped to -10..40 dB, averaged) and the share of windows whose level is within 6 dB of the
 * reference's (neither a dropout nor a burst). Frames are timed exactly as they would be played;
 * concealment and rebuilding are assumed in time (the buffer holds 40 ms, a rebuilt frame needs
 * the next packet 20 ms later).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.tip.bench.FecEvaluation [--seconds S] [--seeds N]
 * </pre>
 */
public final class FecEvaluation {

    /** An Opus room's PCM: 20 kHz, 400 samples a packet (docs/protocol.md, "Codecs"). */
    private static final AudioFormat ROOM = new AudioFormat(20_000, 1, 16, 400);

    private static final int FRAME = ROOM.frameLength();
    private static final long FRAME_NANOS = 20_000_000L;
    private static final int BITRATE = 24_000;
    /** The tone of the integration tests (OpusFecTest before it spoke artificial voice). */
    private static final double TONE_HZ = 1013;

    private static final double TONE_LEVEL = 8000;
    private static final double VOICED_RMS = 300;
    /** The first packets are never lost, so that the buffer settles the same way every run. */
    private static final int CLEAN_START = 100;

    private static final String[] STRATEGIES = {"buffer", "plc", "fec+plc", "fec1+buffer", "lbrr1+buffer", "lbrr+buffer"
    };

    private FecEvaluation() {}

    /** One loss model: mean loss and mean burst length, in packets. */
    private record Loss(String name, double loss, double burst) {
        NetworkModel model() {
            double r = 1 / burst;
            double p = loss * r / (1 - loss);
            return NetworkModel.builder().gilbertElliott(p, r).build();
        }
    }

    /** Scores of one strategy on one run. */
    private record Score(double segSnr, double levelHeld, int windows) {}

    /**
     * Runs the evaluation and prints one table per signal.
     *
     * @param args {@code --seconds S} (default 60), {@code --seeds N} (default 5)
     */
    public static void main(String[] args) {
        int seconds = 60;
        int seeds = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--seeds" -> seeds = Integer.parseInt(args[++i]);
                default ->
                    throw new IllegalArgumentException(
                            "unknown argument " + args[i] + "; usage: [--seconds S] [--seeds N]");
            }
        }
        List<Loss> losses = List.of(
                new Loss("random 3%", 0.03, 1),
                new Loss("random 10%", 0.10, 1),
                new Loss("bursty 5% (mean burst 2)", 0.05, 2),
                new Loss("bursty 10% (mean burst 2)", 0.10, 2));
        int packets = seconds * 50;
        for (String signal : List.of("voice", "tone")) {
            System.out.printf(
                    Locale.ROOT,
                    "%n%s signal, %d s, seeds 1..%d, Opus %d bit/s in a 20 kHz room%n",
                    signal,
                    seconds,
                    seeds,
                    BITRATE);
            System.out.printf(
                    Locale.ROOT,
                    "%-27s %-13s %-22s %-22s %s%n",
                    "loss",
                    "strategy",
                    "segSNR dB (min..max)",
                    "level held % (min..max)",
                    "windows");
            for (Loss loss : losses) {
                double[][] snr = new double[STRATEGIES.length][seeds];
                double[][] held = new double[STRATEGIES.length][seeds];
                int windows = 0;
                for (int seed = 1; seed <= seeds; seed++) {
                    short[] pcm = signal.equals("voice")
                            ? ArtificialVoice.generate(ROOM.sampleRate(), packets * FRAME, seed)
                            : tone(packets * FRAME);
                    boolean[] lost = lost(loss, packets, seed);
                    Score[] scores = run(pcm, lost, (int) Math.round(loss.loss() * 100));
                    for (int s = 0; s < STRATEGIES.length; s++) {
                        snr[s][seed - 1] = scores[s].segSnr();
                        held[s][seed - 1] = scores[s].levelHeld();
                    }
                    windows += scores[0].windows();
                }
                for (int s = 0; s < STRATEGIES.length; s++) {
                    System.out.printf(
                            Locale.ROOT,
                            "%-27s %-13s %-22s %-22s %d%n",
                            s == 0 ? loss.name() : "",
                            STRATEGIES[s],
                            range(snr[s], 1, 1),
                            range(held[s], 100, 1),
                            windows);
                }
            }
        }
    }

    private static String range(double[] v, double scale, int decimals) {
        double mean = 0;
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (double x : v) {
            mean += x / v.length;
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        String f = "%." + decimals + "f";
        return String.format(Locale.ROOT, f + " (" + f + ".." + f + ")", mean * scale, min * scale, max * scale);
    }

    private static short[] tone(int samples) {
        short[] pcm = new short[samples];
        for (int i = 0; i < samples; i++) {
            pcm[i] = (short) Math.round(TONE_LEVEL * Math.sin(2 * Math.PI * TONE_HZ * i / ROOM.sampleRate()));
        }
        return pcm;
    }

    private static boolean[] lost(Loss loss, int packets, long seed) {
        Trace trace = loss.model().generate(ROOM.sampleRate(), FRAME, Duration.ofMillis(packets * 20L + 20), seed);
        boolean[] lost = new boolean[packets];
        for (int i = CLEAN_START; i < packets - 2; i++) {
            lost[i] = trace.delayNanos()[i] < 0;
        }
        return lost;
    }

    private static Score[] run(short[] pcm, boolean[] lost, int lossPercent) {
        VoiceCodec codec = new OpusCodec();
        VoiceCodec.Encoder encoder = codec.newEncoder(ROOM, BITRATE);
        encoder.setPacketLossPercent(lossPercent);
        int n = lost.length;
        byte[][] packets = new byte[n][];
        byte[] buf = new byte[encoder.maxPacketBytes()];
        for (int i = 0; i < n; i++) {
            int len = encoder.encode(pcm, i * FRAME, buf, 0);
            packets[i] = java.util.Arrays.copyOf(buf, len);
        }
        short[][] reference = decode(codec, packets, new boolean[n], "reference");
        short[] heardReference = play(reference);
        int lag = lag(heardReference, reference);
        Score[] scores = new Score[STRATEGIES.length];
        for (int s = 0; s < STRATEGIES.length; s++) {
            short[] heard = play(decode(codec, packets, lost, STRATEGIES[s]));
            scores[s] = score(heardReference, heard, reference, lost, lag);
        }
        return scores;
    }

    /** Decodes in packet order as the strategy says; null where the jitter buffer must conceal. */
    private static short[][] decode(VoiceCodec codec, byte[][] packets, boolean[] lost, String strategy) {
        VoiceCodec.Decoder decoder = codec.newDecoder(ROOM);
        int n = packets.length;
        short[][] frames = new short[n][];
        for (int i = 0; i < n; i++) {
            if (!lost[i]) {
                frames[i] = new short[FRAME];
                decoder.decode(packets[i], 0, packets[i].length, frames[i]);
                continue;
            }
            int end = i;
            while (end < n && lost[end]) {
                end++;
            }
            // packets i..end-1 are lost, packet end (if any) arrived
            boolean single = end - i == 1;
            boolean next = end < n;
            for (int j = i; j < end; j++) {
                boolean last = j == end - 1;
                boolean rebuild = next
                        && last
                        && (strategy.equals("fec+plc")
                                || (strategy.equals("fec1+buffer") && single)
                                || (strategy.equals("lbrr1+buffer") && single && carriesFec(packets[end]))
                                || (strategy.equals("lbrr+buffer") && carriesFec(packets[end])));
                if (rebuild) {
                    frames[j] = new short[FRAME];
                    decoder.recover(packets[end], 0, packets[end].length, frames[j]);
                } else if (strategy.equals("plc") || strategy.equals("fec+plc")) {
                    frames[j] = new short[FRAME];
                    decoder.conceal(frames[j]);
                }
                // buffer and fec+buffer: left null, the buffer conceals
            }
            i = end - 1;
        }
        return frames;
    }

    private static boolean carriesFec(byte[] packet) {
        return OpusFrameDecoder.carriesFec(packet, 0, packet.length);
    }

    /** Plays the frames through the client's jitter buffer, arriving at a constant delay. */
    private static short[] play(short[][] frames) {
        JitterBuffer buffer = JitterBuffer.builder(ROOM)
                .delayEstimator(() -> new FixedTarget(2 * FRAME_NANOS))
                .build();
        int n = frames.length;
        short[] out = new short[(n + 10) * FRAME];
        short[] call = new short[FRAME];
        long delay = 30_000_000L;
        for (int k = 0; k < n + 10; k++) {
            long now = k * FRAME_NANOS + delay;
            if (k < n && frames[k] != null) {
                buffer.insert(k & 0xFFFF, (long) k * FRAME, k == 0, frames[k], 0, FRAME, now);
            }
            buffer.playout(now + 5_000_000L, call, 0, FRAME);
            System.arraycopy(call, 0, out, k * FRAME, FRAME);
        }
        return out;
    }

    /** Where the reference's first clean second starts in what the buffer played, exactly. */
    private static int lag(short[] heard, short[][] reference) {
        int span = 50 * FRAME;
        outer:
        for (int lag = 0; lag <= 10 * FRAME; lag++) {
            for (int j = 0; j < span; j++) {
                int frame = CLEAN_START / 2 + j / FRAME;
                if (heard[lag + frame * FRAME + j % FRAME] != reference[frame][j % FRAME]) {
                    continue outer;
                }
            }
            return lag;
        }
        throw new IllegalStateException("the buffer changed the reference's timing: no exact lag found");
    }

    private static Score score(short[] heardReference, short[] heard, short[][] reference, boolean[] lost, int lag) {
        int n = lost.length;
        boolean[] judged = new boolean[n];
        for (int i = 0; i < n; i++) {
            if (lost[i]) {
                judged[i] = true;
                if (i + 1 < n && !lost[i + 1]) {
                    judged[i + 1] = true;
                    if (i + 2 < n) {
                        judged[i + 2] = true;
                    }
                }
            }
        }
        double snrSum = 0;
        int windows = 0;
        int held = 0;
        for (int i = 0; i < n; i++) {
            if (!judged[i]) {
                continue;
            }
            int at = lag + i * FRAME;
            double ref = 0;
            double err = 0;
            double got = 0;
            for (int j = 0; j < FRAME; j++) {
                double r = heardReference[at + j];
                double h = heard[at + j];
                ref += r * r;
                got += h * h;
                err += (r - h) * (r - h);
            }
            if (Math.sqrt(ref / FRAME) < VOICED_RMS) {
                continue;
            }
            windows++;
            double snr = err == 0 ? 40 : 10 * Math.log10(ref / err);
            snrSum += Math.max(-10, Math.min(40, snr));
            double ratio = got / ref;
            if (ratio >= 0.25 && ratio <= 4) {
                held++;
            }
        }
        return new Score(windows == 0 ? 0 : snrSum / windows, windows == 0 ? 0 : (double) held / windows, windows);
    }

    /** A buffer target a fixed time above the fastest packet: no stretching at constant delay. */
    private static final class FixedTarget implements DelayEstimator {
        private final long above;
        private long floor = Long.MAX_VALUE;

        FixedTarget(long above) {
            this.above = above;
        }

        @Override
        public void onArrival(long arrivalNanos, long relativeDelayNanos) {
            floor = Math.min(floor, relativeDelayNanos);
        }

        @Override
        public long targetNanos() {
            return floor + above;
        }

        @Override
        public long floorNanos() {
            return floor;
        }

        @Override
        public void shift(long deltaNanos) {
            floor += deltaNanos;
        }
    }
}
