package dev.tip.core.internal.client;

import dev.tip.core.ClientStatistics;
import dev.tip.core.Dialect;
import dev.tip.core.audio.VoiceCodec;
import dev.tip.core.internal.PlayoutQueue;
import dev.tip.core.internal.Speakers;
import dev.tip.core.internal.VoiceCounters;
import dev.tip.core.internal.VoiceParameters;
import dev.tip.core.protocol.TipProtocol;
import dev.tip.core.voice.AudioFormat;
import dev.tip.core.voice.PayloadType;
import dev.tip.core.voice.VoiceDatagram;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's voice: the UDP socket, the voice threads ({@link VoiceLoops}) over the dialect's
 * {@link VoicePath}, and the audio source and sink, which it closes exactly once (the thread that
 * uses one closes it; if that thread never started, {@link #stop()} does). Thread-safe.
 *
 * <p>Locking: this object's monitor guards starting and stopping (threads, the closed flags); it is
 * taken after the session's lock is released, never inside it. The flags the loops poll are
 * volatile.
 */
public final class VoiceEngine {
    private static final Logger log = LoggerFactory.getLogger(VoiceEngine.class);

    /** {@link #send}: the datagram went out. */
    static final int SENT = 1;
    /** {@link #send}: the datagram could not be sent (dropped; voice goes on). */
    static final int FAILED = 0;
    /** {@link #send}: the socket is closed. */
    static final int CLOSED = -1;

    /** TIP/2: most speakers with a jitter buffer at once (a room bigger than this is unusual for voice). */
    private static final int MAX_SPEAKERS = 64;

    private final ClientConfig config;
    private final AudioFormat format;
    private final long helloNanos;
    private final VoiceCounters counters = new VoiceCounters();
    private final PlayoutQueue playoutQueue;
    private final Speakers speakers;

    private volatile boolean running;
    private volatile boolean muted;
    private volatile long lastSentNanos;
    private volatile VoicePath path;
    /** TIP/2: UDP or the control connection (the tunnel). */
    private final VoiceRoute route;
    /** The control connection, for the tunnel; null until attached. */
    private volatile ControlConnection control;
    /** TIP/2 loss feedback: the reports this client sends, the protection the server asks for. */
    private final LossFeedback loss = new LossFeedback(bytes -> {
        ControlConnection c = control;
        if (c != null) {
            c.send(bytes);
        }
    });
    /** Control thread: where a tunnelled datagram is laid out for the path. */
    private ByteBuffer tunnelIn;

    // guarded by this
    private DatagramChannel channel;
    private InetSocketAddress target;
    private final List<Thread> threads = new ArrayList<>();
    private boolean stopped;
    private boolean sourceOwned;
    private boolean sinkOwned;

    /**
     * Creates the voice side of a client; nothing runs until {@link #start}.
     *
     * @param config the client's configuration
     * @param format the room format
     * @param session the session, told who speaks
     * @param speakingHoldNanos how long after a speaker's last frame it is said to have stopped
     * @param helloNanos TIP/2: how often HELLO is repeated until HELLO_ACK
     */
    public VoiceEngine(
            ClientConfig config, AudioFormat format, ClientSession session, long speakingHoldNanos, long helloNanos) {
        this.config = config;
        this.format = format;
        this.helloNanos = helloNanos;
        this.playoutQueue = new PlayoutQueue(config.maxPlayoutFrames(), format.frameLength());
        this.speakers =
                new Speakers(format, MAX_SPEAKERS, speakingHoldNanos, session::speakingChanged, config.codecs());
        this.route = new VoiceRoute(config.name(), counters, session::transportChanged);
    }

    /**
     * Gives voice the control connection, for the tunnel.
     *
     * @param c the connection
     */
    public void control(ControlConnection c) {
        this.control = c;
        counters.tunnelDropped = c::tunnelDropped;
    }

    /**
     * TIP/2: whether the server's SESSION granted loss feedback.
     *
     * @param granted true if it did
     */
    public void lossFeedbackGranted(boolean granted) {
        loss.granted(granted);
    }

    /**
     * TIP/2: LOSS_PROTECT arrived: the loss this client's encoder should protect against.
     *
     * @param percent 0..100
     */
    public void protectAgainstLoss(long percent) {
        loss.protect(percent);
    }

    /** TIP/2: the server's SESSION accepted the tunnel; voice may go through the control connection. */
    public void tunnelAccepted() {
        route.available();
    }

    /**
     * Control thread: a datagram the server sent through the control connection.
     *
     * @param buf the bytes
     * @param off where it starts
     * @param len its length
     */
    public void receiveTunnelled(byte[] buf, int off, int len) {
        if (!(path instanceof Tip2VoicePath p) || !running) {
            return;
        }
        if (tunnelIn == null) {
            tunnelIn = ByteBuffer.allocate(p.receiveBufferBytes());
        }
        if (len > tunnelIn.capacity()) {
            counters.rejected.incrementAndGet();
            return;
        }
        tunnelIn.clear();
        tunnelIn.put(0, buf, off, len);
        p.receiveTunnelled(tunnelIn, len);
    }

    /**
     * Takes the voice socket, bound where the control connection is.
     *
     * @param channel the socket
     * @param target the server's voice address
     * @return false if the engine was stopped meanwhile (the socket is then closed)
     */
    public synchronized boolean attach(DatagramChannel channel, InetSocketAddress target) {
        this.channel = channel;
        this.target = target;
        if (stopped) {
            close(channel);
            return false;
        }
        return true;
    }

    /**
     * Sends the original client's greeting to the server's UDP port, as the original does after
     * CLIENT_PORT: an original server relays it, ours ignores it.
     */
    public synchronized void sendGreeting() {
        if (channel != null && !stopped && send(ByteBuffer.wrap(TipProtocol.greeting())) != SENT) {
            log.debug("{}: join datagram not sent", config.name());
        }
    }

    /**
     * Starts voice for the session's dialect, once; does nothing after {@link #stop()}.
     *
     * @param session the session, in the room
     */
    public synchronized void start(ClientSession session) {
        if (running || stopped || channel == null) {
            return;
        }
        boolean tip2 = session.dialect() == Dialect.TIP2;
        VoicePath p;
        if (tip2) {
            VoiceParameters v = session.voiceParameters();
            VoiceCodec codec = config.codec(v.codec());
            int bitrate = v.bitrate() > 0 ? Math.min(v.bitrate(), config.voiceBitrate()) : config.voiceBitrate();
            p = new Tip2VoicePath(format, speakers, counters, session, config.clock(), codec, bitrate, route, loss);
        } else {
            p = new OriginalVoicePath(format, playoutQueue, counters, config.sink() != null);
        }
        path = p;
        running = true;
        spawn(new VoiceLoops.ReceiveLoop(this, channel, p), "receive");
        if (tip2) {
            long keepalive = config.keepaliveInterval().toNanos();
            spawn(
                    new VoiceLoops.KeepaliveLoop(this, session, (Tip2VoicePath) p, route, helloNanos, keepalive),
                    "keepalive");
        }
        if (config.sink() != null || p.playsWithoutSink()) {
            sinkOwned = config.sink() != null;
            spawn(new VoiceLoops.PlayoutLoop(this, config.sink(), p, config.clock(), format), "playout");
        }
        if (config.source() != null) {
            sourceOwned = true;
            spawn(new VoiceLoops.CaptureLoop(this, config.source(), p, config.clock()), "capture");
        }
    }

    private void spawn(Runnable loop, String role) {
        Thread t = config.newThread(loop, role);
        threads.add(t);
        t.start();
    }

    /**
     * Stops voice: the loops end, the socket closes, and the source and the sink are closed unless
     * their threads close them. Idempotent; does not wait for the threads.
     */
    public void stop() {
        boolean closeSource;
        boolean closeSink;
        DatagramChannel c;
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
            running = false;
            closeSource = !sourceOwned;
            closeSink = !sinkOwned;
            c = channel;
            for (Thread t : threads) {
                t.interrupt();
            }
        }
        close(c);
        if (closeSource && config.source() != null) {
            closeAudio(config.source(), "source");
        }
        if (closeSink && config.sink() != null) {
            closeAudio(config.sink(), "sink");
        }
    }

    /**
     * Waits for the voice threads to end.
     *
     * @param deadlineNanos the {@link System#nanoTime()} to give up at
     * @return the threads still alive then (a source or sink that blocked)
     * @throws InterruptedException if interrupted
     */
    public List<Thread> join(long deadlineNanos) throws InterruptedException {
        List<Thread> started;
        synchronized (this) {
            started = List.copyOf(threads);
        }
        List<Thread> alive = new ArrayList<>();
        for (Thread t : started) {
            if (t == Thread.currentThread()) {
                continue;
            }
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
            if (t.isAlive()) {
                alive.add(t);
            }
        }
        return alive;
    }

    /**
     * TIP/2: drops the jitter buffers of speakers no longer in the roster.
     *
     * @param ids the roster's session ids
     */
    public void retainSpeakers(int[] ids) {
        speakers.retain(ids);
    }

    /**
     * TIP/2: the volume at which one speaker is mixed.
     *
     * @param id the speaker's session id
     * @param gain 0..4, 1 as received
     */
    public void setVolume(int id, float gain) {
        speakers.setVolume(id, gain);
    }

    /**
     * TIP/2: one speaker's volume.
     *
     * @param id the speaker's session id
     * @return the gain, 1 unless set
     */
    public float volume(int id) {
        return speakers.volume(id);
    }

    /** @param mute true to stop sending, false to send again */
    public void setMuted(boolean mute) {
        this.muted = mute;
    }

    /** @return whether the microphone is muted */
    public boolean isMuted() {
        return muted;
    }

    /** @return the voice counters now, with the dialect's own figures */
    public ClientStatistics statistics() {
        VoicePath p = path;
        return p == null ? counters.snapshot(playoutQueue.dropped()) : p.statistics(counters);
    }

    // ---- for the loops

    String name() {
        return config.name();
    }

    VoiceCounters counters() {
        return counters;
    }

    boolean running() {
        return running;
    }

    long lastSentNanos() {
        return lastSentNanos;
    }

    void markSent() {
        lastSentNanos = System.nanoTime();
    }

    /** Sends a datagram to the server's voice address: SENT, FAILED (dropped) or CLOSED. */
    int send(ByteBuffer datagram) {
        ControlConnection c = control;
        if (route.isTcp()
                && c != null
                && datagram.remaining() > VoiceDatagram.OFFSET_PAYLOAD_TYPE
                && datagram.get(datagram.position() + VoiceDatagram.OFFSET_PAYLOAD_TYPE) != PayloadType.HELLO) {
            // the same datagram through the control connection; HELLO stays on UDP, as the probe
            return c.sendDatagram(datagram) ? SENT : FAILED;
        }
        return sendUdp(datagram);
    }

    /** Sends a datagram over UDP whatever the route: SENT, FAILED or CLOSED. */
    int sendUdp(ByteBuffer datagram) {
        try {
            channel.send(datagram, target);
            return SENT;
        } catch (ClosedChannelException e) {
            return CLOSED;
        } catch (IOException e) {
            // a voice datagram that cannot be sent is dropped, not a reason to stop
            log.debug("{}: datagram not sent: {}", config.name(), e.toString());
            return FAILED;
        }
    }

    void closeAudio(AutoCloseable audio, String what) {
        try {
            audio.close();
        } catch (Exception e) {
            log.warn("{}: closing the audio {} failed", config.name(), what, e);
        }
    }

    private void close(DatagramChannel c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException e) {
            log.debug("{}: closing the voice socket failed: {}", config.name(), e.toString());
        }
    }
}
