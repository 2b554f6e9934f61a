package dev.tip.bench;

import dev.tip.core.TipClient;
import dev.tip.core.audio.JitterBuffer;
import dev.tip.core.audio.JitterBufferStats;
import dev.tip.core.voice.AudioFormat;
import dev.tip.testing.netsim.NetworkModel;
import dev.tip.testing.netsim.Trace;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The jitter evaluation of JITTER-EVALUATION.md: builds the traces P0..P6 from each seed (1 to 5
 * unless one is named), runs TIP's jitter buffer and the baselines (O1 hindsight oracle, fixed
 * buffers F1, F2, F3, F5, B1 NetEq-style target through the same playout machinery) on each, and
 * prints one table per trace and seed, then the original-format (arrival-order) evaluation, then
 * a summary of every target per seed (a target is met only when it holds on all five).
 *
 * <p>Delay is acoustic: from a packet's arrival until its first sample leaves the buffer for the
 * sink (the playout call that outputs it, plus its position in that call's output), after every
 * cut, stretch and sample waiting in the output FIFO ({@link JitterBufferStats#heardMeanDelayNanos()}).
 * The delay taken at the call that pulls the frame into the FIFO, which the buffer's own
 * statistics report, is shown beside it as "pull ms".
 *
 * <p>The row judged, "TIP", is the client's configuration: a buffer built as the client's receive
 * path builds it ({@code JitterBuffer.builder(format).build()} in {@code Speakers}), played in
 * quarter frames (128 samples at 20 kHz, one call per 6.4 ms), as the client's playout loop calls
 * {@code Speakers.mixNext}; in an Opus room its frames are 20 ms (400 samples), the calls the
 * same. Rows with "/512" are another configuration (whole-frame calls, as the client played out
 * before), labelled as such. "TIP@B1" is the
 * client's buffer at the operating point (its target late loss) whose late+wait is at or below
 * B1's, for the comparison at equal late loss.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.tip.bench.JitterEvaluation [--json] [--seed N]
 *     [--minutes M] [--call SAMPLES] [--room pcm|opus|both]
 *     [--traces P1,P2,...]
 * </pre>
 */
public final class JitterEvaluation {

    private static final long SAMPLE_EVERY = 100_000_000L;
    /** The room's format: 20 kHz, 512-sample frames. */
    private static final AudioFormat ROOM = AudioFormat.ORIGINAL;
    /**
     * The client's playout call: a quarter of a room frame, 128 samples (6.4 ms) at 20 kHz, as
     * its TIP/2 path plays out ({@code Tip2VoicePath.playoutPart}).
     */
    private static final int CLIENT_CALL = ROOM.frameLength() / 4;
    /** Target late-loss shares tried, after the default, to find the operating point of B1's loss. */
    private static final double[] OPERATING_POINTS = {0.01, 0.005, 0.003, 0.002, 0.001, 0.0005};

    /** The format of the frames of the room evaluated (set per room). */
    private static AudioFormat FORMAT = ROOM;
    /** Their duration. */
    private static long FRAME = FORMAT.frameNanos();

    private JitterEvaluation() {}

    /** One algorithm's figures on one trace: delays are acoustic, {@code pullMs} at the pulling call. */
    record Row(
            String name,
            double lateLoss,
            double concealment,
            double meanMs,
            double p95Ms,
            double adjustMsPerS,
            double maxAdjustMsPerS,
            String note,
            double lateOrWait,
            double pullMs) {
        Row(
                String name,
                double lateLoss,
                double concealment,
                double meanMs,
                double p95Ms,
                double adjustMsPerS,
                double maxAdjustMsPerS,
                String note) {
            this(name, lateLoss, concealment, meanMs, p95Ms, adjustMsPerS, maxAdjustMsPerS, note, lateLoss, meanMs);
        }

        Row named(String newName, String newNote) {
            return new Row(
                    newName,
                    lateLoss,
                    concealment,
                    meanMs,
                    p95Ms,
                    adjustMsPerS,
                    maxAdjustMsPerS,
                    newNote,
                    lateOrWait,
                    pullMs);
        }
    }

    /** One check of a target: {@code key} names it across seeds; an info check is never missed. */
    record Check(String key, boolean info, boolean ok, String text) {
        @Override
        public String toString() {
            return (info ? "info: " : ok ? "PASS " : "MISS ") + text;
        }
    }

    /** The figures of one trace. */
    record Result(String trace, String description, int sent, double networkLoss, List<Row> rows, List<Check> checks) {}

    /** The figures of one room on one seed. */
    record SeedResult(long seed, int otherCall, List<Result> traces, List<Result> original) {}

    /** The room evaluated: the frames the buffer holds and the client's playout call. */
    record Room(String name, AudioFormat frames, int clientCall, String description) {}

    /** Time series sampled every 100 ms during a run. */
    record Series(long[] late, long[] played, double[] delaySum, long[] adjusted, long[] heard) {}

    /**
     * Runs the evaluation.
     *
     * @param args {@code --json}, {@code --seed N}, {@code --minutes M}, {@code --call SAMPLES},
     *     {@code --room pcm|opus|both}
     */
    public static void main(String[] args) {
        boolean json = false;
        long[] seeds = {1, 2, 3, 4, 5};
        int minutes = 10;
        int call = ROOM.frameLength();
        String rooms = "both";
        String traces = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--json":
                    json = true;
                    break;
                case "--seed":
                    seeds = new long[] {Long.parseLong(args[++i])};
                    break;
                case "--minutes":
                    minutes = Integer.parseInt(args[++i]);
                    break;
                case "--call":
                    call = Integer.parseInt(args[++i]);
                    break;
                case "--room":
                    rooms = args[++i];
                    break;
                case "--traces":
                    traces = args[++i];
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument " + args[i]
                            + "; usage: [--json] [--seed N] [--minutes M] [--call SAMPLES] [--room pcm|opus|both]"
                            + " [--traces P1,P2,...]");
            }
        }
        long started = System.nanoTime();
        List<Room> evaluated = new ArrayList<>();
        if (!rooms.equals("opus")) {
            evaluated.add(
                    new Room("pcm", ROOM, CLIENT_CALL, "PCM room: 512-sample (25.6 ms) frames, 128-sample calls"));
        }
        if (!rooms.equals("pcm")) {
            evaluated.add(new Room(
                    "opus",
                    new AudioFormat(ROOM.sampleRate(), 1, 16, ROOM.sampleRate() / 50),
                    CLIENT_CALL,
                    "Opus room: 20 ms (400-sample) frames decoded at 20 kHz, 128-sample calls"));
        }
        Map<Room, List<SeedResult>> all = new LinkedHashMap<>();
        for (Room room : evaluated) {
            FORMAT = room.frames();
            FRAME = FORMAT.frameNanos();
            List<SeedResult> perSeed = new ArrayList<>();
            for (long seed : seeds) {
                perSeed.add(evaluate(room, seed, minutes, call, traces));
            }
            all.put(room, perSeed);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        if (json) {
            printJson(all, minutes, call, seconds);
        } else {
            printText(all, minutes, call, seconds);
        }
    }

    private static Object[][] profiles(int minutes) {
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
        return new Object[][] {
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
    }

    private static SeedResult evaluate(Room room, long seed, int minutes, int otherCall, String only) {
        Duration length = Duration.ofMinutes(minutes);
        Object[][] profiles = profiles(minutes);
        int call = room.clientCall();
        List<Result> results = new ArrayList<>();
        List<Result> original = new ArrayList<>();
        Row p1Tip = null;
        for (Object[] profile : profiles) {
            String name = (String) profile[0];
            if (only != null && !Arrays.asList(only.split(",")).contains(name)) {
                continue;
            }
            NetworkModel model = (NetworkModel) profile[2];
            Trace trace = model.generate(FORMAT.sampleRate(), FORMAT.samplesPerFrame(), length, seed);
            long phase = (seed * 7919 % 97) * FRAME / 97;
            List<Row> rows = new ArrayList<>();
            List<Check> checks = new ArrayList<>();
            double[] o1 = oracle(trace);
            rows.add(new Row(
                    "O1",
                    o1[0],
                    o1[0] + trace.networkLost() / (double) trace.sent(),
                    o1[1],
                    o1[2],
                    0,
                    0,
                    "fixed offset " + ms(o1[3]) + " ms after send, chosen in hindsight"));
            double[] o1c = oracleOnCalls(trace, Math.round(call * 1e9 / FORMAT.sampleRate()), phase);
            rows.add(new Row(
                    "O1/calls",
                    o1c[0],
                    o1c[0] + trace.networkLost() / (double) trace.sent(),
                    o1c[1],
                    o1c[2],
                    0,
                    0,
                    "reference, not in JITTER-EVALUATION.md: O1 on the client's call grid, fixed offset " + ms(o1c[3])
                            + " ms after send, each frame needed by the call that outputs its first sample"));
            for (int k : new int[] {1, 2, 3, 5}) {
                rows.add(fixed(trace, k));
            }
            Series b1Series = newSeries(trace);
            Row b1 = run("B1", b1Subject(), trace, call, phase, b1Series);
            rows.add(b1);
            Series tipSeries = newSeries(trace);
            Row tip = run("TIP", clientSubject(JitterBuffer.DEFAULT_TARGET_LATE_LOSS), trace, call, phase, tipSeries);
            rows.add(tip);
            Row atB1 = tip.named(
                    "TIP@B1",
                    "the client's buffer as built (target late loss " + JitterBuffer.DEFAULT_TARGET_LATE_LOSS * 100
                            + "%)");
            for (int i = 0; i < OPERATING_POINTS.length && atB1.lateOrWait() > b1.lateOrWait(); i++) {
                Row r = run("TIP@B1", clientSubject(OPERATING_POINTS[i]), trace, call, phase, null);
                atB1 = r.named(
                        "TIP@B1", "the client's buffer with targetLateLoss(" + OPERATING_POINTS[i] + "); " + r.note());
            }
            rows.add(atB1);
            rows.add(run("B1/" + otherCall, b1Subject(), trace, otherCall, phase, null)
                    .named("B1/" + otherCall, "not the client's configuration: " + otherCall + "-sample calls"));
            rows.add(labelled(
                    run(
                            "TIP/" + otherCall,
                            clientSubject(JitterBuffer.DEFAULT_TARGET_LATE_LOSS),
                            trace,
                            otherCall,
                            phase,
                            null),
                    otherCall));
            rows.add(labelled(
                    run("TIP-strict/" + otherCall, clientSubject(0.001), trace, otherCall, phase, null), otherCall));

            checks.add(check(
                    "late+wait <= 1%",
                    tip.lateOrWait() <= 0.01,
                    "TIP late loss " + pct(tip.lateLoss()) + " plus frames waited for late packets "
                            + pct(tip.lateOrWait() - tip.lateLoss()) + " = " + pct(tip.lateOrWait()) + " <= 1%"));
            double vsO1 = tip.meanMs() / o1[1];
            String vsO1Text = String.format(Locale.ROOT, "TIP mean delay %.2fx O1", vsO1);
            if (name.equals("P1") || name.equals("P2") || name.equals("P5")) {
                checks.add(check("mean/O1 <= 1.10", vsO1 <= 1.10, vsO1Text + " <= 1.10x"));
            } else {
                checks.add(new Check("mean/O1", true, true, vsO1Text));
            }
            checks.add(new Check(
                    "mean/O1calls",
                    true,
                    true,
                    String.format(
                            Locale.ROOT,
                            "TIP mean delay %.2fx O1 on the client's call grid (%.1f ms; reference only)",
                            tip.meanMs() / o1c[1],
                            o1c[1])));
            boolean equalLoss = atB1.lateOrWait() <= b1.lateOrWait();
            checks.add(check(
                    "vs B1 at equal loss",
                    // at the printed precision: 0.05 ms either way is equal
                    equalLoss && atB1.meanMs() <= b1.meanMs() + 0.05,
                    String.format(
                            Locale.ROOT,
                            "TIP@B1 mean delay %.2fx B1 at late+wait %s vs B1's %s%s",
                            atB1.meanMs() / b1.meanMs(),
                            pct(atB1.lateOrWait()),
                            pct(b1.lateOrWait()),
                            equalLoss ? "" : " (no operating point reaches B1's late loss: not a comparison)")));
            checks.add(check(
                    "adjust <= 100 ms/s",
                    tip.maxAdjustMsPerS() <= 100,
                    String.format(
                            Locale.ROOT,
                            "TIP adjustments at most %.0f ms per 1 s window <= 100",
                            tip.maxAdjustMsPerS())));
            if (name.equals("P1")) {
                p1Tip = tip;
            }
            if (name.startsWith("P4") && p1Tip != null) {
                double ratio = tip.meanMs() / p1Tip.meanMs();
                checks.add(check(
                        "drift mean <= 1.10x",
                        ratio <= 1.10,
                        String.format(
                                Locale.ROOT, "TIP mean delay %.2fx the same trace without drift <= 1.10x", ratio)));
                checks.add(check(
                        "drift underruns",
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
                    (String) profile[1],
                    trace.sent(),
                    trace.networkLost() / (double) trace.sent(),
                    rows,
                    checks));

            if (room.name().equals("pcm") && !name.startsWith("P4") && !name.equals("P0")) {
                List<Row> orows = new ArrayList<>();
                orows.add(rows.get(0));
                for (int k : new int[] {1, 2, 3, 5}) {
                    orows.add(queue(trace, k, phase));
                }
                orows.add(clientQueue(trace, phase));
                orows.add(runUnsequenced(trace, call, phase));
                original.add(new Result(
                        name,
                        (String) profile[1],
                        trace.sent(),
                        trace.networkLost() / (double) trace.sent(),
                        orows,
                        List.of()));
            }
        }
        return new SeedResult(seed, otherCall, results, original);
    }

    private static Row labelled(Row r, int call) {
        return r.named(r.name(), "not the client's configuration: " + call + "-sample calls; " + r.note());
    }

    // ------------------------------------------------------------------ subjects

    /**
     * B1 through the same playout machinery as TIP: the public buffer with the NetEq-style
     * estimator in place of TIP's.
     */
    private static JitterBuffer b1Subject() {
        return JitterBuffer.builder(FORMAT).delayEstimator(NetEqTarget::new).build();
    }

    /**
     * The client's buffer: built as the client's receive path builds it, with only the target late
     * loss changed when it is not the default.
     */
    private static JitterBuffer clientSubject(double targetLateLoss) {
        JitterBuffer.Builder builder = JitterBuffer.builder(FORMAT);
        if (targetLateLoss != JitterBuffer.DEFAULT_TARGET_LATE_LOSS) {
            builder.targetLateLoss(targetLateLoss);
        }
        return builder.build();
    }

    private static final short[] TONE = new short[ROOM.sampleRate()];

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
        return new Series(new long[n], new long[n], new double[n], new long[n], new long[n]);
    }

    private static Row run(String name, JitterBuffer s, Trace t, int call, long phase, Series series) {
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
                s.insert(t.seq()[p], t.ts()[p], t.marker()[p], frame, 0, frame.length, t.arrivalNanos()[a]);
                a++;
            }
            s.playout(now, out);
            if (now >= (long) samples * SAMPLE_EVERY && samples < adjustedPerSample.length) {
                JitterBufferStats snap = s.stats();
                adjustedPerSample[samples] = snap.adjustedNanos();
                if (series != null && samples < series.late().length) {
                    series.late()[samples] = snap.late();
                    series.played()[samples] = snap.played();
                    series.delaySum()[samples] = snap.heardDelaySumNanos();
                    series.heard()[samples] = snap.heardFrames();
                    series.adjusted()[samples] = snap.adjustedNanos();
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
                st.heardMeanDelayNanos() / 1e6,
                st.heardP95DelayNanos() / 1e6,
                st.adjustedNanos() / 1e6 / seconds,
                maxPerSecond / 1e6,
                note,
                (st.late() + st.waits()) / (double) t.sent(),
                st.meanDelayNanos() / 1e6);
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

    /**
     * O1 restricted to the playout calls: a fixed offset after send places each frame's first
     * sample at {@code send + offset}; the frame must have arrived by the call whose output holds
     * that sample, and its acoustic delay is {@code send + offset - arrival}. The smallest offset
     * with late loss at or under 1%: {late loss, mean delay ms, p95 delay ms, offset ns}.
     */
    private static double[] oracleOnCalls(Trace t, long callNanos, long phase) {
        int allowed = (int) Math.floor(0.01 * t.sent());
        long lo = -callNanos;
        long hi = 0;
        for (int i = 0; i < t.sent(); i++) {
            hi = Math.max(hi, t.delayNanos()[i] + 2 * callNanos);
        }
        while (hi - lo > 10_000) {
            long mid = (lo + hi) >>> 1;
            if (lateOnCalls(t, callNanos, phase, mid) <= allowed) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        List<Double> delays = new ArrayList<>();
        double sum = 0;
        for (int i = 0; i < t.sent(); i++) {
            long d = t.delayNanos()[i];
            if (d < 0) {
                continue;
            }
            long play = t.sendNanos()[i] + hi;
            long arrival = t.sendNanos()[i] + d;
            if (arrival <= callBefore(play, callNanos, phase)) {
                double b = (play - arrival) / 1e6;
                sum += b;
                delays.add(b);
            }
        }
        long late = lateOnCalls(t, callNanos, phase, hi);
        return new double[] {late / (double) t.sent(), delays.isEmpty() ? 0 : sum / delays.size(), p95(delays), hi};
    }

    private static long callBefore(long at, long callNanos, long phase) {
        return phase + Math.floorDiv(at - phase, callNanos) * callNanos;
    }

    private static long lateOnCalls(Trace t, long callNanos, long phase, long offset) {
        long late = 0;
        for (int i = 0; i < t.sent(); i++) {
            long d = t.delayNanos()[i];
            if (d >= 0 && t.sendNanos()[i] + d > callBefore(t.sendNanos()[i] + offset, callNanos, phase)) {
                late++;
            }
        }
        return late;
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
     * The original dialect's client path: a queue of {@link TipClient#DEFAULT_MAX_PLAYOUT_FRAMES}
     * frames that drops its oldest frame when full, offered every datagram as it arrives and polled
     * once per frame period, an empty queue playing silence (the client's internal PlayoutQueue
     * does exactly this, and only this; the samples do not change any figure, so the model keeps
     * only each queued frame's arrival time).
     */
    private static Row clientQueue(Trace t, long phase) {
        long[] arrivals = new long[TipClient.DEFAULT_MAX_PLAYOUT_FRAMES];
        int head = 0;
        int size = 0;
        long dropped = 0;
        long played = 0;
        long empty = 0;
        boolean talking = false;
        double sum = 0;
        List<Double> delays = new ArrayList<>();
        int a = 0;
        int n = t.arrivals();
        long end = t.durationNanos() + 3_000_000_000L;
        for (long tick = 0; ; tick++) {
            long now = phase + tick * FRAME;
            if (now > end) {
                break;
            }
            while (a < n && t.arrivalNanos()[a] <= now) {
                if (size == arrivals.length) {
                    head = (head + 1) % arrivals.length;
                    size--;
                    dropped++;
                }
                arrivals[(head + size) % arrivals.length] = t.arrivalNanos()[a];
                size++;
                a++;
            }
            if (size > 0) {
                double b = (now - arrivals[head]) / 1e6;
                head = (head + 1) % arrivals.length;
                size--;
                played++;
                sum += b;
                delays.add(b);
                talking = true;
            } else {
                if (talking) {
                    empty++;
                }
                talking = false;
            }
        }
        return new Row(
                "client",
                dropped / (double) t.sent(),
                empty / (double) Math.max(1, played + empty),
                played == 0 ? 0 : sum / played,
                p95(delays),
                0,
                0,
                "the client's original-dialect path: a drop-oldest queue of " + TipClient.DEFAULT_MAX_PLAYOUT_FRAMES
                        + " frames polled every frame period, no jitter buffer; dropped (full) " + dropped
                        + ", duplicates play twice, reordered frames play out of order");
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
        ByteBuffer bytes = ByteBuffer.allocate(FORMAT.frameBytes()).order(ByteOrder.LITTLE_ENDIAN);
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
                bytes.clear();
                for (short v : frame) {
                    bytes.putShort(v);
                }
                b.insertUnsequenced(bytes, 0, bytes.position(), t.arrivalNanos()[a]);
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
                st.heardMeanDelayNanos() / 1e6,
                st.heardP95DelayNanos() / 1e6,
                st.adjustedNanos() / 1e6 / seconds,
                0,
                "TIP buffer in arrival-order mode (insertUnsequenced, which the client does not use); duplicates play"
                        + " twice, reordered frames play out of order",
                (st.late() + st.overflowDropped()) / (double) t.sent(),
                st.meanDelayNanos() / 1e6);
    }

    // ------------------------------------------------------------------ recovery

    private static void recovery(Trace t, Series s, double o1MeanMs, int minutes, List<Check> checks, String who) {
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
                who + " step settle",
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
            for (int i = i0; i + 10 < i0 + 200 && i + 10 < s.heard().length; i++) {
                long played = s.heard()[i + 10] - s.heard()[i];
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
                who + " spike settle",
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

    private static Check check(String key, boolean ok, String what) {
        return new Check(key, false, ok, what);
    }

    private static String pct(double x) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * x);
    }

    private static String ms(double nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
    }

    private static void printText(Map<Room, List<SeedResult>> all, int minutes, int call, double seconds) {
        for (Map.Entry<Room, List<SeedResult>> e : all.entrySet()) {
            Room room = e.getKey();
            for (SeedResult sr : e.getValue()) {
                System.out.printf(
                        Locale.ROOT,
                        "TIP jitter evaluation: %s; seed %d, %d min per trace; %s;%n"
                                + "  judged row TIP: the client's buffer and playout calls of %d samples (%.1f ms);"
                                + " /%d rows: calls of %d samples (%.1f ms), not the client's%n"
                                + "  delays are acoustic (arrival to the first sample leaving for the sink); pull ms:"
                                + " at the call that pulled the frame into the FIFO%n%n",
                        room.description(),
                        sr.seed(),
                        minutes,
                        room.frames(),
                        room.clientCall(),
                        room.clientCall() * 1000.0 / room.frames().sampleRate(),
                        call,
                        call,
                        call * 1000.0 / room.frames().sampleRate());
                for (Result r : sr.traces()) {
                    table(r, true);
                }
                if (!sr.original().isEmpty()) {
                    System.out.println(
                            "== Original format, seed " + sr.seed() + " (no sequence numbers: arrival order only) ==");
                    System.out.println("late = frames dropped (cap or too late); conc = underrun/concealed frames over"
                            + " frames produced; client = the path the client really uses");
                    System.out.println();
                    for (Result r : sr.original()) {
                        table(r, false);
                    }
                }
            }
        }
        System.out.println("== Summary: every target on every seed (met only when it holds on all) ==");
        for (Map.Entry<Room, List<SeedResult>> e : all.entrySet()) {
            summary(e.getKey(), e.getValue());
        }
        System.out.printf(Locale.ROOT, "evaluation took %.1f s%n", seconds);
    }

    /** The key figures and checks of a room across its seeds. */
    private static void summary(Room room, List<SeedResult> seeds) {
        System.out.println();
        System.out.println("-- " + room.description() + " --");
        System.out.printf(
                Locale.ROOT,
                "%-4s %4s %7s %8s %16s %16s %7s %16s %7s %7s %20s%n",
                "",
                "seed",
                "O1 ms",
                "O1/calls",
                "B1 ms (l+w)",
                "TIP ms (l+w)",
                "TIP/O1",
                "TIP@B1 ms (l+w)",
                "@B1/B1",
                "pull/O1",
                "/" + seeds.get(0).otherCall() + "/O1 (l+w)");
        List<String> traces = seeds.get(0).traces().stream().map(Result::trace).toList();
        for (String trace : traces) {
            for (SeedResult sr : seeds) {
                Result r = sr.traces().stream()
                        .filter(x -> x.trace().equals(trace))
                        .findFirst()
                        .orElseThrow();
                Row o1 = row(r, "O1");
                Row b1 = row(r, "B1");
                Row tip = row(r, "TIP");
                Row at = row(r, "TIP@B1");
                Row other = row(r, "TIP/" + sr.otherCall());
                System.out.printf(
                        Locale.ROOT,
                        "%-4s %4d %7.1f %8.1f %7.1f (%5.2f%%) %7.1f (%5.2f%%) %7.2f %7.1f (%5.2f%%) %7.2f %7.2f %11.2f (%5.2f%%)%n",
                        trace,
                        sr.seed(),
                        o1.meanMs(),
                        row(r, "O1/calls").meanMs(),
                        b1.meanMs(),
                        100 * b1.lateOrWait(),
                        tip.meanMs(),
                        100 * tip.lateOrWait(),
                        tip.meanMs() / o1.meanMs(),
                        at.meanMs(),
                        100 * at.lateOrWait(),
                        at.meanMs() / b1.meanMs(),
                        tip.pullMs() / o1.meanMs(),
                        other.meanMs() / o1.meanMs(),
                        100 * other.lateOrWait());
            }
        }
        System.out.println();
        for (String trace : traces) {
            Map<String, boolean[]> byKey = new LinkedHashMap<>();
            for (int i = 0; i < seeds.size(); i++) {
                SeedResult sr = seeds.get(i);
                Result r = sr.traces().stream()
                        .filter(x -> x.trace().equals(trace))
                        .findFirst()
                        .orElseThrow();
                for (Check c : r.checks()) {
                    if (!c.info()) {
                        byKey.computeIfAbsent(c.key(), k -> new boolean[seeds.size()])[i] = c.ok();
                    }
                }
            }
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-4s", trace));
            for (Map.Entry<String, boolean[]> k : byKey.entrySet()) {
                boolean met = true;
                StringBuilder per = new StringBuilder();
                for (boolean ok : k.getValue()) {
                    met &= ok;
                    per.append(ok ? '+' : '-');
                }
                line.append(String.format(Locale.ROOT, " | %s %s %s", k.getKey(), per, met ? "MET" : "MISSED"));
            }
            System.out.println(line);
        }
        System.out.println("  (+/- per seed "
                + seeds.stream().map(s -> Long.toString(s.seed())).toList() + ")");
    }

    private static Row row(Result r, String name) {
        return r.rows().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
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
                "%-14s %8s %9s %8s %9s %9s %8s %8s %8s %10s %10s%n",
                "buffer",
                "late",
                "late+wait",
                "conc",
                "mean ms",
                "p95 ms",
                "pull ms",
                "adj ms/s",
                "max/1s",
                "mean/O1",
                "mean/B1");
        for (Row x : r.rows()) {
            System.out.printf(
                    Locale.ROOT,
                    "%-14s %8s %9s %8s %9.1f %9.1f %8.1f %8.1f %8.1f %10.2f %10s%n",
                    x.name(),
                    pct(x.lateLoss()),
                    pct(x.lateOrWait()),
                    pct(x.concealment()),
                    x.meanMs(),
                    x.p95Ms(),
                    x.pullMs(),
                    x.adjustMsPerS(),
                    x.maxAdjustMsPerS(),
                    x.meanMs() / o1.meanMs(),
                    b1 == null || !ratios ? "" : String.format(Locale.ROOT, "%.2f", x.meanMs() / b1.meanMs()));
        }
        for (Row x : r.rows()) {
            if (x.name().startsWith("TIP")
                    || x.name().startsWith("B1")
                    || x.name().equals("client")) {
                System.out.printf(Locale.ROOT, "  %s: %s%n", x.name(), x.note());
            }
        }
        for (Check c : r.checks()) {
            System.out.println("  " + c);
        }
        System.out.println();
    }

    private static void printJson(Map<Room, List<SeedResult>> all, int minutes, int call, double seconds) {
        StringBuilder sb = new StringBuilder();
        sb.append("{\"minutes\": ")
                .append(minutes)
                .append(", \"otherCallSamples\": ")
                .append(call)
                .append(", \"seconds\": ")
                .append(String.format(Locale.ROOT, "%.1f", seconds))
                .append(", \"rooms\": [");
        boolean firstRoom = true;
        for (Map.Entry<Room, List<SeedResult>> e : all.entrySet()) {
            if (!firstRoom) {
                sb.append(", ");
            }
            firstRoom = false;
            Room room = e.getKey();
            sb.append("{\"room\": \"")
                    .append(room.name())
                    .append("\", \"frameSamples\": ")
                    .append(room.frames().samplesPerFrame())
                    .append(", \"clientCallSamples\": ")
                    .append(room.clientCall())
                    .append(", \"seeds\": [");
            for (int i = 0; i < e.getValue().size(); i++) {
                SeedResult sr = e.getValue().get(i);
                if (i > 0) {
                    sb.append(", ");
                }
                sb.append("{\"seed\": ").append(sr.seed()).append(", \"traces\": ");
                json(sb, sr.traces());
                sb.append(", \"original\": ");
                json(sb, sr.original());
                sb.append('}');
            }
            sb.append("]}");
        }
        sb.append("]}");
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
                                + "\"pullMeanMs\": %.2f, \"adjustMsPerS\": %.2f, \"maxAdjustMsPerS\": %.1f, \"note\": \"%s\"}",
                        x.name(),
                        x.lateLoss(),
                        x.lateOrWait(),
                        x.concealment(),
                        x.meanMs(),
                        x.p95Ms(),
                        x.pullMs(),
                        x.adjustMsPerS(),
                        x.maxAdjustMsPerS(),
                        x.note().replace("\"", "'")));
            }
            sb.append("], \"checks\": [");
            for (int j = 0; j < r.checks().size(); j++) {
                Check c = r.checks().get(j);
                if (j > 0) {
                    sb.append(", ");
                }
                sb.append(String.format(
                        Locale.ROOT,
                        "{\"key\": \"%s\", \"info\": %b, \"ok\": %b, \"text\": \"%s\"}",
                        c.key(),
                        c.info(),
                        c.ok(),
                        c.text().replace("\"", "'")));
            }
            sb.append("]}");
        }
        sb.append(']');
    }
}
