package dev.tip.core.internal.client;

import dev.tip.core.TipClock;
import dev.tip.core.audio.AudioSink;
import dev.tip.core.audio.AudioSource;
import dev.tip.core.internal.FramePacer;
import dev.tip.core.internal.VoiceCounters;
import dev.tip.core.protocol.TipProtocol;
import dev.tip.core.voice.AudioFormat;
import dev.tip.core.voice.PayloadType;
import dev.tip.core.voice.VoiceDatagram;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's voice threads, one small loop class each, the same for every dialect: what differs
 * is the {@link VoicePath}. Each loop's fields are confined to its thread; what they share lives
 * in {@link VoiceEngine} (volatile) and {@link VoiceCounters} (atomic).
 */
final class VoiceLoops {
    private static final Logger log = LoggerFactory.getLogger(VoiceLoops.class);

    /** A pacer that falls this many frames behind restarts its schedule rather than burst. */
    static final int MAX_LAG_FRAMES = 4;

    private VoiceLoops() {}

    /** Source to socket: reads a frame, paces it unless the source is real-time, sends it. */
    static final class CaptureLoop implements Runnable {
        private final VoiceEngine engine;
        private final AudioSource source;
        private final VoicePath path;
        private final TipClock clock;

        CaptureLoop(VoiceEngine engine, AudioSource source, VoicePath path, TipClock clock) {
            this.engine = engine;
            this.source = source;
            this.path = path;
            this.clock = clock;
        }

        @Override
        public void run() {
            AudioFormat format = source.format();
            short[] frame = new short[format.frameLength()];
            FramePacer pacer = new FramePacer(clock, format, MAX_LAG_FRAMES);
            boolean paced = !source.isRealTime();
            VoiceCounters counters = engine.counters();
            try {
                while (engine.running()) {
                    if (!source.read(frame)) {
                        log.info("{}: the audio source ended; nothing more to send", engine.name());
                        return;
                    }
                    counters.captured.incrementAndGet();
                    long t = paced ? pacer.awaitNext() : clock.nanoTime();
                    for (ByteBuffer datagram = path.encode(frame, t, engine.isMuted());
                            datagram != null && engine.running();
                            datagram = path.next()) {
                        int bytes = datagram.remaining();
                        int sent = engine.send(datagram);
                        if (sent == VoiceEngine.CLOSED) {
                            return;
                        }
                        if (sent == VoiceEngine.SENT) {
                            counters.sent.incrementAndGet();
                            counters.voiceBytes.addAndGet(bytes);
                            engine.markSent();
                        }
                    }
                }
            } catch (InterruptedException e) {
                // close() or a failure stops the capture
            } catch (IOException | RuntimeException e) {
                if (engine.running()) {
                    log.warn("{}: the audio source failed; nothing more is sent", engine.name(), e);
                }
            } finally {
                engine.closeAudio(source, "source");
            }
        }
    }

    /** Socket to path: receives datagrams, leaves out the original's greeting. */
    static final class ReceiveLoop implements Runnable {
        private final VoiceEngine engine;
        private final DatagramChannel channel;
        private final VoicePath path;

        ReceiveLoop(VoiceEngine engine, DatagramChannel channel, VoicePath path) {
            this.engine = engine;
            this.channel = channel;
            this.path = path;
        }

        @Override
        public void run() {
            ByteBuffer in = ByteBuffer.allocateDirect(path.receiveBufferBytes());
            VoiceCounters counters = engine.counters();
            while (engine.running()) {
                in.clear();
                try {
                    channel.receive(in);
                } catch (ClosedChannelException e) {
                    return;
                } catch (IOException e) {
                    if (!engine.running()) {
                        return;
                    }
                    log.debug("{}: voice receive failed: {}", engine.name(), e.toString());
                    continue;
                }
                int n = in.position();
                if (n == 0) {
                    continue;
                }
                if (TipProtocol.isGreeting(in, 0, n)) {
                    // the original client's join datagram, relayed by an original server
                    counters.probes.incrementAndGet();
                    continue;
                }
                path.receive(in, n);
            }
        }
    }

    /** Path to sink: a part of a frame each part's period, paced by the sink if it is real-time, else by the clock. */
    static final class PlayoutLoop implements Runnable {
        private final VoiceEngine engine;
        private final AudioSink sink;
        private final VoicePath path;
        private final TipClock clock;
        private final AudioFormat format;

        PlayoutLoop(VoiceEngine engine, AudioSink sink, VoicePath path, TipClock clock, AudioFormat format) {
            this.engine = engine;
            this.sink = sink;
            this.path = path;
            this.clock = clock;
            this.format = format;
        }

        @Override
        public void run() {
            int part = path.playoutPart();
            int partsPerFrame = Math.max(1, format.frameLength() / part);
            short[] samples = new short[part];
            // paced per part: a part of a frame every part's duration
            FramePacer pacer = new FramePacer(
                    clock,
                    format.withRate(format.sampleRate(), part / format.channels()),
                    MAX_LAG_FRAMES * partsPerFrame);
            boolean paced = sink == null || !sink.isRealTime();
            VoiceCounters counters = engine.counters();
            // the counters count frames: a frame's worth of parts is one played (or silent) frame
            int inFrame = 0;
            boolean heard = false;
            try {
                while (engine.running()) {
                    if (paced) {
                        pacer.awaitNext();
                    }
                    int contributing = path.mix(clock.nanoTime(), samples, part);
                    heard |= contributing > 0;
                    boolean frameDone = (inFrame += part) >= format.frameLength();
                    if (frameDone) {
                        inFrame = 0;
                        if (sink == null) {
                            if (heard) {
                                counters.discarded.incrementAndGet();
                            }
                        } else if (heard) {
                            counters.played.incrementAndGet();
                        } else {
                            counters.silence.incrementAndGet();
                        }
                        heard = false;
                    }
                    if (sink != null) {
                        sink.write(samples, 0, part);
                    }
                }
            } catch (InterruptedException e) {
                // close() or a failure stops the playout
            } catch (IOException | RuntimeException e) {
                if (engine.running()) {
                    log.warn("{}: the audio sink failed; nothing more is played", engine.name(), e);
                }
            } finally {
                if (sink != null) {
                    engine.closeAudio(sink, "sink");
                }
            }
        }
    }

    /**
     * TIP/2: HELLO every interval until bound, then KEEPALIVE whenever nothing was sent for a while.
     * With the tunnel available ({@link VoiceRoute}) it also moves voice between UDP and the control
     * connection: to TCP when no HELLO_ACK came within a second or UDP went quiet despite probes,
     * probing UDP with HELLO every second meanwhile, and a KEEPALIVE on the new path after a switch.
     */
    static final class KeepaliveLoop implements Runnable {
        /** How often the loop looks at the route while the tunnel is available. */
        private static final long TICK_NANOS = 50_000_000L;

        private final VoiceEngine engine;
        private final ClientSession session;
        private final Tip2VoicePath path;
        private final VoiceRoute route;
        private final long helloNanos;
        private final long keepaliveNanos;

        KeepaliveLoop(
                VoiceEngine engine,
                ClientSession session,
                Tip2VoicePath path,
                VoiceRoute route,
                long helloNanos,
                long keepaliveNanos) {
            this.engine = engine;
            this.path = path;
            this.session = session;
            this.route = route;
            this.helloNanos = helloNanos;
            this.keepaliveNanos = keepaliveNanos;
        }

        @Override
        public void run() {
            long start = System.nanoTime();
            long lastHello = Long.MIN_VALUE / 2;
            try {
                while (engine.running()) {
                    long now = System.nanoTime();
                    long wait;
                    if (!session.isVoiceBound()) {
                        if (route.isAvailable() && now - start >= VoiceRoute.TUNNEL_AFTER_NANOS) {
                            // no HELLO_ACK within a second: voice goes through the control connection
                            route.toTcp("no HELLO_ACK within " + VoiceRoute.TUNNEL_AFTER_NANOS / 1_000_000 + " ms");
                            session.voiceBound();
                            continue;
                        }
                        if (now - lastHello >= helloNanos) {
                            sendControl(path.control(PayloadType.HELLO));
                            lastHello = now;
                        }
                        wait = route.isAvailable() ? Math.min(TICK_NANOS, helloNanos) : helloNanos;
                    } else if (!route.isAvailable()) {
                        wait = keepalive(now);
                    } else {
                        probe(now, lastHello);
                        if (now - lastHello >= VoiceRoute.PROBE_NANOS && probing(now)) {
                            // UDP quiet, or tunnelling: a HELLO over UDP asks whether it works
                            sendControl(path.control(PayloadType.HELLO));
                            lastHello = now;
                        }
                        if (route.takeAnnouncement()) {
                            // after a switch the server learns the new path from a KEEPALIVE on it
                            sendControl(path.control(PayloadType.KEEPALIVE));
                            engine.markSent();
                        }
                        keepalive(now);
                        wait = TICK_NANOS;
                    }
                    TimeUnit.NANOSECONDS.sleep(Math.max(1_000_000L, wait));
                }
            } catch (InterruptedException e) {
                // close() or a failure stops it
            }
        }

        /** While on UDP: moves to TCP once UDP has been silent too long although probed. */
        private void probe(long now, long lastHello) {
            if (!route.isTcp() && now - route.lastUdpNanos() >= VoiceRoute.UDP_DEAD_NANOS) {
                route.toTcp("nothing over UDP for " + VoiceRoute.UDP_DEAD_NANOS / 1_000_000 + " ms");
            }
        }

        private boolean probing(long now) {
            return route.isTcp() || now - route.lastUdpNanos() >= VoiceRoute.UDP_QUIET_NANOS;
        }

        /** A KEEPALIVE if nothing was sent for the interval; returns the time until the next is due. */
        private long keepalive(long now) {
            long idle = now - engine.lastSentNanos();
            if (idle >= keepaliveNanos) {
                sendControl(path.control(PayloadType.KEEPALIVE));
                engine.markSent();
                idle = 0;
            }
            return keepaliveNanos - idle;
        }

        private void sendControl(ByteBuffer datagram) {
            if (engine.send(datagram) != VoiceEngine.SENT) {
                log.debug(
                        "{}: {} not sent",
                        engine.name(),
                        PayloadType.name(datagram.get(VoiceDatagram.OFFSET_PAYLOAD_TYPE)));
            }
        }
    }
}
