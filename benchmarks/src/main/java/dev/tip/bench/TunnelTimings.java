package dev.tip.bench;

import dev.tip.core.TipClient;
import dev.tip.core.VoiceTransport;
import dev.tip.core.audio.AudioSource;
import dev.tip.core.voice.AudioFormat;
import dev.tip.server.TipServer;
import dev.tip.testing.netsim.PathProxy;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * How long TIP/2's voice tunnel takes to matter (docs/benchmarks.md, "Voice tunnel"), on loopback:
 * a real server, a {@link PathProxy} that drops UDP both ways, and two real clients behind it.
 *
 * <ul>
 *   <li><b>first voice, UDP blocked</b>: from the talker's {@code connect()} call (the listener is
 *       in the room already) to the listener's first received voice frame; the talker tunnels
 *       after its 1 s without HELLO_ACK.
 *   <li><b>first voice, UDP open</b>: the same with UDP passing, the baseline of the same run.
 *   <li><b>switch back</b>: from unblocking UDP to both clients reporting UDP again (their next
 *       HELLO probe, one a second, answered).
 * </ul>
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar dev.tip.bench.TunnelTimings [runs]}
 * (default 5 runs); prints min, median and max of each, in milliseconds.
 */
public final class TunnelTimings {

    private TunnelTimings() {}

    /** A 1 kHz tone, paced by the client. */
    private static final class Tone implements AudioSource {
        private long n;

        @Override
        public AudioFormat format() {
            return AudioFormat.ORIGINAL;
        }

        @Override
        public boolean read(short[] frame) {
            for (int i = 0; i < frame.length; i++) {
                frame[i] = (short) (6000 * Math.sin(2 * Math.PI * 1000 * n++ / 20_000.0));
            }
            return true;
        }
    }

    /**
     * Runs the measurement.
     *
     * @param args optional number of runs
     * @throws Exception if a step fails
     */
    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        List<Double> blocked = new ArrayList<>();
        List<Double> open = new ArrayList<>();
        List<Double> back = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            open.add(firstVoice(false, null));
            blocked.add(firstVoice(true, back));
        }
        print("first voice heard, UDP open (ms)", open);
        print("first voice heard, UDP blocked (ms)", blocked);
        print("switch back to UDP after unblocking (ms)", back);
    }

    private static double firstVoice(boolean blockUdp, List<Double> switchBack) throws Exception {
        try (TipServer server = TipServer.builder()
                        .port(0)
                        .bindAddress(InetAddress.getLoopbackAddress())
                        .jmx(false)
                        .build()
                        .start();
                PathProxy proxy = new PathProxy(server.tcpPort(), blockUdp);
                TipClient listener = TipClient.builder()
                        .server("127.0.0.1", proxy.port())
                        .nickname("Bob")
                        .voiceCodecs(List.of())
                        .build();
                TipClient talker = TipClient.builder()
                        .server("127.0.0.1", proxy.port())
                        .nickname("Ann")
                        .voiceCodecs(List.of())
                        .audioSource(new Tone())
                        .build()) {
            listener.connect();
            long start = System.nanoTime();
            talker.connect();
            await(() -> listener.statistics().framesReceived() > 0);
            double firstMillis = (System.nanoTime() - start) / 1e6;
            if (switchBack != null) {
                long unblocked = System.nanoTime();
                proxy.blockUdp(false);
                await(() -> talker.statistics().voiceTransport() == VoiceTransport.UDP
                        && listener.statistics().voiceTransport() == VoiceTransport.UDP);
                switchBack.add((System.nanoTime() - unblocked) / 1e6);
            }
            return firstMillis;
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out");
            }
            Thread.sleep(1);
        }
    }

    private static void print(String what, List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        System.out.printf(
                Locale.ROOT,
                "%-42s min %7.1f  median %7.1f  max %7.1f  (%d runs)%n",
                what,
                sorted.get(0),
                sorted.get(sorted.size() / 2),
                sorted.get(sorted.size() - 1),
                sorted.size());
    }
}
