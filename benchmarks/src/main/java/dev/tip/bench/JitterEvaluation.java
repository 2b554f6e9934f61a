package dev.tip.bench;

import dev.tip.core.audio.JitterBuffer;
import dev.tip.core.audio.JitterBufferStats;
import dev.tip.core.internal.jitter.PlayoutEngine;
import dev.tip.core.voice.AudioFormat;
import dev.tip.testing.netsim.NetworkModel;
import dev.tip.testing.netsim.Trace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The jitter evaluation of JITTER-EVALUATION.md: builds the traces P0..P6 from a seed, runs TIP's
 * jitter buffer and the baselines (O1 hindsight oracle, fixed buffers F1, F2, F3, F5, B1 NetEq-style
 * target through the same playout machinery) on each, and prints one table per trace, then the
 * original-format (arrival-order) evaluation. Runs on virtual time: the whole evaluation takes
 * seconds.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.tip.bench.JitterEvaluation [--json] [--seed N]
 *     [--minutes M] [--call SAMPLES]
 * </pre>
 */
public final class JitterEvaluation {

    private static final AudioFormat FORMAT = AudioFormat.ORIGINAL;
    private static final long FRAME = FORMAT.frameNanos();
    private static final long SAMPLE_EVERY = 100_000_000L;

    private JitterEvaluation() {}

    /** One algorithm's figures on one trace. */
    record Row(
            String name,
            double lateLoss,
            double concealment,
            double meanMs,
            double p95Ms,
            double adjustMsPerS,
            double maxAdjustMsPerS,
            String note,
            double lateOrWait) {
        Row(
                String name,
                double lateLoss,
                double concealment,
                double meanMs,
                double p95Ms,
                double adjustMsPerS,
                double maxAdjustMsPerS,
                String note) {
            this(name, lateLoss, concealment, meanMs, p95Ms, adjustMsPerS, maxAdjustMsPerS, note, lateLoss);
        }
    }

    /** The figures of one trace. */
    record Result(
            String trace, String description, int sent, double networkLoss, List<Row> rows, List<String> checks) {}

    /** A buffer under test, driven on virtual time. */
    interface Subject {
        void insert(int seq, long ts, boolean marker, short[] pcm, long arrival);

        void playout(long now, short[] out);

        JitterBufferStats stats();
    }

    /** Time series sampled every 100 ms during a run. */
    record Series(long[] late, long[] played, double[] delaySum, long[] adjusted) {}

    /**
     * Runs the evaluation.
     *
     * @param args {@code --json}, {@code --seed N}, {@code --minutes M}, {@code --call SAMPLES}
     */
    public static void main(String[] args) {
        boolean json = false;
        long seed = 1;
        int minutes = 10;
        int call = 128;
        String tune = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--json":
                    json = true;
                    break;
                case "--seed":
                    seed = Long.parseLong(args[++i]);
                    break;
                case "--minutes":
                    minutes = Integer.parseInt(args[++i]);
                    break;
                case "--call":
                    call = Integer.parseInt(args[++i]);
                    break;
                case "--tune":
                    tune = args[++i];
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument " + args[i]
                            + "; usage: [--json] [--seed N] [--minutes M] [--call SAMPLES]");
            }
        }
        long started = System.nanoTime();
        Duration length = Duration.ofMinutes(minutes);
        NetworkModel p1 = NetworkModel.builder()
                .base(Duration.ofMillis(20))
                .gamma(2, Duration.ofMillis(4))
                .gilbertElliott(0.0015, 0.3)
                .build();
        NetworkModel p2 = NetworkModel.builder()
                .base(Duration.ofMillis(40))
                .pareto(2.5, Duration.ofMillis(5))
                .correlation(0.5)
                .gilbertElliott(0.01, 0.3)
                .build();
        Object[][] profiles = {
            {
                "P0",
                "clean: constant 20 ms",
                NetworkModel.builder().base(Duration.ofMillis(20)).build()
            },
            {"P1", "LAN/Wi-Fi: 20 ms + Gamma(2, 4 ms), GE loss ~0.5%", p1},
            {"P2", "heavy tail: 40 ms + Pareto(2.5, 5 ms) AR(1) 0.5, GE p=1% r=30%", p2},
            {
                "P3",
                "spikes: P1 + 300 ms spike every 20 s, +80 ms step at 5 min",
                p1.toBuilder()
                        .spikes(Duration.ofSeconds(20), Duration.ofMillis(300))
                        .step(Duration.ofMillis(minutes * 30_000L), Duration.ofMillis(80))
                        .build()
            },
            {
                "P4+",
                "drift: P1 with the sender at +500 ppm",
                p1.toBuilder().drift(500).build()
            },
            {
                "P4-",
                "drift: P1 with the sender at -500 ppm",
                p1.toBuilder().drift(-500).build()
            },
            {
                "P5",
                "talk spurts: P2 gated on/off (1.0 s / 1.5 s)",
                p2.toBuilder()
                        .talkSpurts(Duration.ofMillis(1000), Duration.ofMillis(1500))
                        .build()
            },
            {
                "P6",
                "duplicates: P1 + 1% duplicated 0-40 ms later",
                p1.toBuilder().duplicates(0.01, Duration.ofMillis(40)).build()
            },
        };
        List<Result> results = new ArrayList<>();
        List<Result> original = new ArrayList<>();
        double p1TipMean = 0;
        double[] o1Mean = new double[profiles.length];
        for (int pi = 0; pi < profiles.length; pi++) {
            String name = (String) profiles[pi][0];
            NetworkModel model = (NetworkModel) profiles[pi][2];
            Trace trace = model.generate(FORMAT.sampleRate(), FORMAT.samplesPerFrame(), length, seed);
            long phase = (seed * 7919 % 97) * FRAME / 97;
            List<Row> rows = new ArrayList<>();
            List<String> checks = new ArrayList<>();
            double[] o1 = oracle(trace);
            o1Mean[pi] = o1[1];
            rows.add(new Row(
                    "O1",
                    o1[0],
                    o1[0] + trace.networkLost() / (double) trace.sent(),
                    o1[1],
                    o1[2],
                    0,
                    0,
                    "fixed offset " + ms(o1[3]) + " ms after send, chosen in hindsight"));
            for (int k : new int[] {1, 2, 3, 5}) {
                rows.add(fixed(trace, k));
            }
            PlayoutEngine b1Engine =
                    new PlayoutEngine(FORMAT, 1_000_000_000L, new NetEqTarget(), PlayoutEngine.Tuning.DEFAULT);
            Series b1Series = newSeries(trace);
            Row b1 = run("B1", engineSubject(b1Engine), trace, call, phase, b1Series);
            rows.add(b1);
            Series tipSeries = newSeries(trace);
            Subject tipSubject =
                    tune == null ? bufferSubject(JitterBuffer.builder(FORMAT).build()) : tuned(tune);
            Row tip = run("TIP", tipSubject, trace, call, phase, tipSeries);
            rows.add(tip);
            rows.add(run(
                    "TIP-strict",
                    bufferSubject(
                            JitterBuffer.builder(FORMAT).targetLateLoss(0.001).build()),
                    trace,
                    call,
                    phase,
                    null));
            rows.add(run(
                    "TIP/frame",
                    bufferSubject(JitterBuffer.builder(FORMAT).build()),
                    trace,
                    FORMAT.frameLength(),
                    phase,
                    null));

            checks.add(check(
                    tip.lateOrWait() <= 0.01,
                    "TIP late loss " + pct(tip.lateLoss()) + " plus frames waited for late packets "
                            + pct(tip.lateOrWait() - tip.lateLoss()) + " <= 1%"));
            double vsO1 = tip.meanMs() / o1[1];
            double vsB1 = tip.meanMs() / b1.meanMs();
            if (name.equals("P1") || name.equals("P2") || name.equals("P5")) {
                checks.add(check(vsO1 <= 1.10, String.format(Locale.ROOT, "TIP mean delay %.2fx O1 <= 1.10x", vsO1)));
            } else {
                checks.add(String.format(Locale.ROOT, "info: TIP mean delay %.2fx O1", vsO1));
            }
            checks.add(check(
                    vsB1 <= 1.0 && tip.lateOrWait() <= Math.max(b1.lateOrWait(), 0.01),
                    String.format(
                            Locale.ROOT,
                            "TIP mean delay %.2fx B1 (late+wait %s vs %s)",
                            vsB1,
                            pct(tip.lateOrWait()),
                            pct(b1.lateOrWait()))));
            checks.add(check(
                    tip.maxAdjustMsPerS() <= 100,
                    String.format(
                            Locale.ROOT,
                            "TIP adjustments at most %.0f ms per 1 s window <= 100",
                            tip.maxAdjustMsPerS())));
            if (name.equals("P1")) {
                p1TipMean = tip.meanMs();
            }
            if (name.startsWith("P4")) {
                double ratio = tip.meanMs() / p1TipMean;
                checks.add(check(
                        ratio <= 1.10,
                        String.format(
                                Locale.ROOT, "TIP mean delay %.2fx the same trace without drift <= 1.10x", ratio)));
                Row p1Tip = results.get(1).rows().stream()
                        .filter(r -> r.name().equals("TIP"))
                        .findFirst()
                        .orElseThrow();
                checks.add(check(
                        tip.concealment() <= p1Tip.concealment() + 0.002,
                        "TIP concealment " + pct(tip.concealment()) + " vs " + pct(p1Tip.concealment())
                                + " without drift (no drift underruns)"));
            }
            if (name.equals("P3")) {
                recovery(trace, tipSeries, o1[1], minutes, checks, "TIP");
                recovery(trace, b1Series, o1[1], minutes, checks, "B1");
            }
            results.add(new Result(
                    name,
                    (String) profiles[pi][1],
                    trace.sent(),
                    trace.networkLost() / (double) trace.sent(),
                    rows,
                    checks));

            if (!name.startsWith("P4") && !name.equals("P0")) {
                List<Row> orows = new ArrayList<>();
                orows.add(rows.get(0));
                for (int k : new int[] {1, 2, 3, 5}) {
                    orows.add(queue(trace, k, phase));
                }
                orows.add(runUnsequenced(trace, call, phase));
                original.add(new Result(
                        name,
                        (String) profiles[pi][1],
                        trace.sent(),
                        trace.networkLost() / (double) trace.sent(),
                        orows,
                        List.of()));
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        if (json) {
            printJson(results, original, seed, minutes, call, seconds);
        } else {
            printText(results, original, seed, minutes, call, seconds);
        }
    }

    // ------------------------------------------------------------------ subjects

    /** TIP's engine with other constants: {@code quantile,allowance,historySeconds,excludeHeld[,maxEditMs[,budget]]}. */
    private static Subject tuned(String spec) {
        String[] p = spec.split(",");
        double q = Double.parseDouble(p[0]);
        double allowance = Double.parseDouble(p[1]);
        int window = (int) (Double.parseDouble(p[2]) * 1e9 / FRAME);
        boolean exclude = Boolean.parseBoolean(p[3]);
        PlayoutEngine.Tuning d = PlayoutEngine.Tuning.DEFAULT;
        long edit = p.length > 4 ? (long) (Double.parseDouble(p[4]) * 1e6) : d.maxEditNanos();
        double budget = p.length > 5 ? Double.parseDouble(p[5]) : d.budget();
        return engineSubject(new PlayoutEngine(
                FORMAT,
                1_000_000_000L,
                new dev.tip.core.internal.jitter.QuantileTarget(
                        window, q, 0, JitterBuffer.DEFAULT_INITIAL_DELAY.toNanos()),
                new PlayoutEngine.Tuning(
                        d.deadbandNanos(), edit, Math.max(edit, d.maxQuietEditNanos()), allowance, budget, exclude)));
    }

    private static Subject bufferSubject(JitterBuffer b) {
        return new Subject() {
            @Override
            public void insert(int seq, long ts, boolean marker, short[] pcm, long arrival) {
                b.insert(seq, ts, marker, pcm, 0, pcm.length, arrival);
            }

            @Override
            public void playout(long now, short[] out) {
                b.playout(now, out);
            }

            @Override
            public JitterBufferStats stats() {
                return b.stats();
            }
        };
    }

    private static Subject engineSubject(PlayoutEngine e) {
        return new Subject() {
            @Override
            public void insert(int seq, long ts, boolean marker, short[] pcm, long arrival) {
                e.insert(seq, ts, marker, pcm, 0, pcm.length, arrival);
            }

            @Override
            public void playout(long now, short[] out) {
                e.playout(now, out, 0, out.length);
            }

            @Override
            public JitterBufferStats stats() {
                return e.stats();
            }
        };
    }

    private static final short[] TONE = new short[FORMAT.sampleRate()];

    static {
        // a 200 Hz tone with a slow 3 Hz envelope: loud like speech, never silent
        for (int i = 0; i < TONE.length; i++) {
            double env = 0.6 + 0.4 * Math.sin(2 * Math.PI * 3 * i / TONE.length);
            TONE[i] = (short) Math.round(6000 * env * Math.sin(2 * Math.PI * 200 * i / TONE.length));
        }
    }

    private static void audio(long ts, short[] frame) {
        int start = (int) (ts % TONE.length);
        for (int i = 0; i < frame.length; i++) {
            frame[i] = TONE[(start + i) % TONE.length];
        }
    }

    private static Series newSeries(Trace t) {
        int n = (int) ((t.durationNanos() + 3_000_000_000L) / SAMPLE_EVERY) + 2;
        return new Series(new long[n], new long[n], new double[n], new long[n]);
    }

    private static Row run(String name, Subject s, Trace t, int call, long phase, Series series) {
        long callNanos = Math.round(call * 1e9 / FORMAT.sampleRate());
        short[] out = new short[call];
        short[] frame = new short[FORMAT.frameLength()];
        int a = 0;
        int n = t.arrivals();
        long end = t.durationNanos() + 3_000_000_000L;
        int samples = 0;
        long[] adjustedPerSample = new long[(int) (end / SAMPLE_EVERY) + 2];
        for (long k = 0; ; k++) {
            long now = phase + k * callNanos;
            if (now > end) {
                break;
            }
            while (a < n && t.arrivalNanos()[a] <= now) {
                int p = t.arrivalPacket()[a];
                audio(t.ts()[p], frame);
                s.insert(t.seq()[p], t.ts()[p], t.marker()[p], frame, t.arrivalNanos()[a]);
                a++;
            }
            s.playout(now, out);
            if (now >= (long) samples * SAMPLE_EVERY && samples < adjustedPerSample.length) {
                JitterBufferStats st = s.stats();
                adjustedPerSample[samples] = st.adjustedNanos();
                if (series != null && samples < series.late().length) {
                    series.late()[samples] = st.late();
                    series.played()[samples] = st.played();
                    series.delaySum()[samples] = st.meanDelayNanos() * (double) st.played();
                    series.adjusted()[samples] = st.adjustedNanos();
                }
                samples++;
            }
        }
        JitterBufferStats st = s.stats();
        long maxPerSecond = 0;
        for (int i = 10; i < samples; i++) {
            maxPerSecond = Math.max(maxPerSecond, adjustedPerSample[i] - adjustedPerSample[i - 10]);
        }
        double seconds = t.durationNanos() / 1e9;
        String note = String.format(
                Locale.ROOT,
                "missing %d, duplicates %d, adjustments %d, waits %d frames (%.1f ms/s), target %s ms at end",
                st.missing(),
                st.duplicates(),
                st.adjustments(),
                st.waits(),
                st.waits() * FRAME / 1e6 / (t.durationNanos() / 1e9),
                ms(st.targetDelayNanos()));
        return new Row(
                name,
                st.late() / (double) t.sent(),
                st.concealmentRatio(),
                st.meanDelayNanos() / 1e6,
                st.p95DelayNanos() / 1e6,
                st.adjustedNanos() / 1e6 / seconds,
                maxPerSecond / 1e6,
                note,
                (st.late() + st.waits()) / (double) t.sent());
    }

    // ------------------------------------------------------------------ baselines

    /** O1: {late loss, mean delay ms, p95 delay ms, offset ns}. */
    private static double[] oracle(Trace t) {
        long[] d = Arrays.stream(t.delayNanos()).filter(x -> x >= 0).sorted().toArray();
        int allowed = (int) Math.floor(0.01 * t.sent());
        int idx = Math.max(0, d.length - 1 - allowed);
        long offset = d[idx];
        double[] buffered = new double[idx + 1];
        double sum = 0;
        for (int i = 0; i <= idx; i++) {
            buffered[i] = (offset - d[i]) / 1e6;
            sum += buffered[i];
        }
        Arrays.sort(buffered);
        double p95 = buffered[(int) Math.min(buffered.length - 1, Math.ceil(0.95 * buffered.length) - 1)];
        return new double[] {(d.length - 1 - idx) / (double) t.sent(), sum / buffered.length, p95, offset};
    }

    /** F_k: plays a talk spurt k frames after its first received packet arrived, on the sender's time line. */
    private static Row fixed(Trace t, int k) {
        double nanosPerSample = 1e9 / FORMAT.sampleRate();
        long anchorArrival = 0;
        long anchorTs = 0;
        boolean anchored = false;
        long late = 0;
        long played = 0;
        double sum = 0;
        List<Double> delays = new ArrayList<>();
        long lastTs = 0;
        for (int i = 0; i < t.sent(); i++) {
            long ts = unwrap(t.ts()[i], lastTs, i == 0);
            lastTs = ts;
            if (t.marker()[i]) {
                anchored = false;
            }
            long delay = t.delayNanos()[i];
            if (delay < 0) {
                continue;
            }
            long arrival = t.sendNanos()[i] + delay;
            if (!anchored) {
                anchored = true;
                anchorArrival = arrival;
                anchorTs = ts;
            }
            long playout = anchorArrival + k * FRAME + Math.round((ts - anchorTs) * nanosPerSample);
            if (arrival > playout) {
                late++;
            } else {
                played++;
                double b = (playout - arrival) / 1e6;
                sum += b;
                delays.add(b);
            }
        }
        double lost = (t.sent() - played) / (double) t.sent();
        return new Row(
                "F" + k,
                late / (double) t.sent(),
                lost,
                played == 0 ? 0 : sum / played,
                p95(delays),
                0,
                0,
                "anchored on the first packet of each talk spurt");
    }

    private static long unwrap(long ts32, long last, boolean first) {
        if (first) {
            return ts32;
        }
        return last + (int) (ts32 - (last & 0xFFFF_FFFFL));
    }

    private static double p95(List<Double> xs) {
        if (xs.isEmpty()) {
            return 0;
        }
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a[(int) Math.min(a.length - 1, Math.ceil(0.95 * a.length) - 1)];
    }

    /**
     * Original-format fixed queue of k frames: frames in arrival order, playback one frame per
     * frame period once k are queued; an empty queue plays silence and waits for k again; more than
     * k + 8 queued drops the oldest.
     */
    private static Row queue(Trace t, int k, long phase) {
        long[] q = new long[4096];
        int head = 0;
        int size = 0;
        boolean waiting = true;
        long underruns = 0;
        long dropped = 0;
        long played = 0;
        double sum = 0;
        List<Double> delays = new ArrayList<>();
        int a = 0;
        int n = t.arrivals();
        long end = t.durationNanos() + 3_000_000_000L;
        boolean talking = false;
        for (long tick = 0; ; tick++) {
            long now = phase + tick * FRAME;
            if (now > end) {
                break;
            }
            while (a < n && t.arrivalNanos()[a] <= now) {
                if (size == k + 8) {
                    head = (head + 1) % q.length;
                    size--;
                    dropped++;
                }
                q[(head + size) % q.length] = t.arrivalNanos()[a];
                size++;
                a++;
            }
            if (waiting && size >= k) {
                waiting = false;
            }
            if (!waiting && size > 0) {
                double b = (now - q[head]) / 1e6;
                head = (head + 1) % q.length;
                size--;
                played++;
                sum += b;
                delays.add(b);
                talking = true;
            } else {
                if (!waiting && talking) {
                    underruns++;
                }
                waiting = true;
            }
        }
        return new Row(
                "Q" + k,
                dropped / (double) t.sent(),
                underruns / (double) (played + underruns),
                played == 0 ? 0 : sum / played,
                p95(delays),
                0,
                0,
                "arrival-order queue of " + k + " frames, dropped (cap) " + dropped);
    }

    private static Row runUnsequenced(Trace t, int call, long phase) {
        JitterBuffer b = JitterBuffer.builder(FORMAT).build();
        long callNanos = Math.round(call * 1e9 / FORMAT.sampleRate());
        short[] out = new short[call];
        short[] frame = new short[FORMAT.frameLength()];
        int a = 0;
        int n = t.arrivals();
        long end = t.durationNanos() + 3_000_000_000L;
        for (long k = 0; ; k++) {
            long now = phase + k * callNanos;
            if (now > end) {
                break;
            }
            while (a < n && t.arrivalNanos()[a] <= now) {
                int p = t.arrivalPacket()[a];
                audio(t.ts()[p], frame);
                b.insertUnsequenced(frame, 0, frame.length, t.arrivalNanos()[a]);
                a++;
            }
            b.playout(now, out);
        }
        JitterBufferStats st = b.stats();
        double seconds = t.durationNanos() / 1e9;
        return new Row(
                "TIP-arrival",
                (st.late() + st.overflowDropped()) / (double) t.sent(),
                st.concealmentRatio(),
                st.meanDelayNanos() / 1e6,
                st.p95DelayNanos() / 1e6,
                st.adjustedNanos() / 1e6 / seconds,
                0,
                "TIP buffer in arrival-order mode; duplicates play twice, reordered frames play out of order");
    }

    // ------------------------------------------------------------------ recovery

    private static void recovery(Trace t, Series s, double o1MeanMs, int minutes, List<String> checks, String who) {
        // after the +80 ms step: first time from which every 1 s window until the next spike has no late packet
        long step = minutes * 30_000_000_000L;
        int from = (int) (step / SAMPLE_EVERY);
        int until = from + 95; // the next spike starts 10 s after the step
        int settled = -1;
        for (int i = from; i + 10 <= until; i++) {
            boolean clean = true;
            for (int j = i; j + 10 <= until; j++) {
                long lateInWindow = s.late()[j + 10] - s.late()[j];
                long playedInWindow = s.played()[j + 10] - s.played()[j];
                if (lateInWindow > 0.01 * Math.max(1, playedInWindow + lateInWindow)) {
                    clean = false;
                    break;
                }
            }
            if (clean) {
                settled = i;
                break;
            }
        }
        double stepSettle = settled < 0 ? Double.NaN : (settled - from) / 10.0;
        checks.add(check(
                settled >= 0 && stepSettle <= 2.0,
                String.format(
                        Locale.ROOT,
                        "%s: late loss over 1 s back under 1%% %.1f s after the +80 ms step (<= 2 s)",
                        who,
                        stepSettle)));
        // after each spike: time until the mean delay over 1 s is within 1.2x O1's mean
        double worst = 0;
        int spikes = 0;
        for (long spike = 10_000_000_000L; spike + 20_000_000_000L <= t.durationNanos(); spike += 20_000_000_000L) {
            int i0 = (int) (spike / SAMPLE_EVERY);
            double settle = Double.NaN;
            for (int i = i0; i + 10 < i0 + 200 && i + 10 < s.played().length; i++) {
                long played = s.played()[i + 10] - s.played()[i];
                if (played == 0) {
                    continue;
                }
                double mean = (s.delaySum()[i + 10] - s.delaySum()[i]) / played / 1e6;
                if (i > i0 + 5 && mean <= 1.2 * o1MeanMs) {
                    settle = (i + 10 - i0) / 10.0;
                    break;
                }
            }
            spikes++;
            if (System.getProperty("tip.eval.debug") != null) {
                System.err.printf(
                        Locale.ROOT, "%s spike at %d s settles in %.1f s%n", who, spike / 1_000_000_000L, settle);
            }
            worst = Double.isNaN(settle) || Double.isNaN(worst) ? Double.NaN : Math.max(worst, settle);
        }
        checks.add(check(
                !Double.isNaN(worst) && worst <= 10,
                String.format(
                        Locale.ROOT,
                        "%s: after each of %d spikes, mean delay over 1 s within 1.2x O1 (%.1f ms) after at most %.1f s (<= 10 s)",
                        who,
                        spikes,
                        1.2 * o1MeanMs,
                        worst)));
    }

    // ------------------------------------------------------------------ output

    private static String check(boolean ok, String what) {
        return (ok ? "PASS " : "MISS ") + what;
    }

    private static String pct(double x) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * x);
    }

    private static String ms(double nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
    }

    private static void printText(
            List<Result> results, List<Result> original, long seed, int minutes, int call, double seconds) {
        System.out.printf(
                Locale.ROOT,
                "TIP jitter evaluation: seed %d, %d min per trace, %s, playout calls of %d samples (%.1f ms)%n%n",
                seed,
                minutes,
                FORMAT,
                call,
                call * 1000.0 / FORMAT.sampleRate());
        for (Result r : results) {
            table(r, true);
        }
        System.out.println("== Original format (no sequence numbers: arrival order only) ==");
        System.out.println(
                "late = frames dropped (cap or too late); conc = underrun/concealed frames over frames produced");
        System.out.println();
        for (Result r : original) {
            table(r, false);
        }
        System.out.printf(Locale.ROOT, "evaluation took %.1f s%n", seconds);
    }

    private static void table(Result r, boolean ratios) {
        System.out.printf(
                Locale.ROOT,
                "== %s %s (sent %d, network loss %s) ==%n",
                r.trace(),
                r.description(),
                r.sent(),
                pct(r.networkLoss()));
        Row o1 = r.rows().get(0);
        Row b1 =
                r.rows().stream().filter(x -> x.name().equals("B1")).findFirst().orElse(null);
        System.out.printf(
                Locale.ROOT,
                "%-12s %8s %9s %8s %9s %9s %8s %8s %10s %10s%n",
                "buffer",
                "late",
                "late+wait",
                "conc",
                "mean ms",
                "p95 ms",
                "adj ms/s",
                "max/1s",
                "mean/O1",
                "mean/B1");
        for (Row x : r.rows()) {
            System.out.printf(
                    Locale.ROOT,
                    "%-12s %8s %9s %8s %9.1f %9.1f %8.1f %8.1f %10.2f %10s%n",
                    x.name(),
                    pct(x.lateLoss()),
                    pct(x.lateOrWait()),
                    pct(x.concealment()),
                    x.meanMs(),
                    x.p95Ms(),
                    x.adjustMsPerS(),
                    x.maxAdjustMsPerS(),
                    x.meanMs() / o1.meanMs(),
                    b1 == null || !ratios ? "" : String.format(Locale.ROOT, "%.2f", x.meanMs() / b1.meanMs()));
        }
        for (Row x : r.rows()) {
            if (x.name().startsWith("TIP") || x.name().equals("B1")) {
                System.out.printf(Locale.ROOT, "  %s: %s%n", x.name(), x.note());
            }
        }
        for (String c : r.checks()) {
            System.out.println("  " + c);
        }
        System.out.println();
    }

    private static void printJson(
            List<Result> results, List<Result> original, long seed, int minutes, int call, double seconds) {
        StringBuilder sb = new StringBuilder();
        sb.append("{\"seed\": ")
                .append(seed)
                .append(", \"minutes\": ")
                .append(minutes)
                .append(", \"callSamples\": ")
                .append(call)
                .append(", \"seconds\": ")
                .append(String.format(Locale.ROOT, "%.1f", seconds))
                .append(", \"traces\": ");
        json(sb, results);
        sb.append(", \"original\": ");
        json(sb, original);
        sb.append("}");
        System.out.println(sb);
    }

    private static void json(StringBuilder sb, List<Result> results) {
        sb.append('[');
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            if (i > 0) {
                sb.append(", ");
            }
            sb.append("{\"trace\": \"")
                    .append(r.trace())
                    .append("\", \"sent\": ")
                    .append(r.sent())
                    .append(", \"networkLoss\": ")
                    .append(String.format(Locale.ROOT, "%.5f", r.networkLoss()))
                    .append(", \"rows\": [");
            for (int j = 0; j < r.rows().size(); j++) {
                Row x = r.rows().get(j);
                if (j > 0) {
                    sb.append(", ");
                }
                sb.append(String.format(
                        Locale.ROOT,
                        "{\"name\": \"%s\", \"lateLoss\": %.5f, \"lateOrWait\": %.5f, \"concealment\": %.5f, \"meanMs\": %.2f, \"p95Ms\": %.2f, "
                                + "\"adjustMsPerS\": %.2f, \"maxAdjustMsPerS\": %.1f}",
                        x.name(),
                        x.lateLoss(),
                        x.lateOrWait(),
                        x.concealment(),
                        x.meanMs(),
                        x.p95Ms(),
                        x.adjustMsPerS(),
                        x.maxAdjustMsPerS()));
            }
            sb.append("], \"checks\": [");
            for (int j = 0; j < r.checks().size(); j++) {
                if (j > 0) {
                    sb.append(", ");
                }
                sb.append('"').append(r.checks().get(j).replace("\"", "'")).append('"');
            }
            sb.append("]}");
        }
        sb.append(']');
    }
}
