package dev.tip.gui;

import dev.tip.audio.ConvertingSink;
import dev.tip.audio.ConvertingSource;
import dev.tip.audio.MicrophoneSource;
import dev.tip.audio.SilenceSource;
import dev.tip.audio.SpeakerSink;
import dev.tip.audio.ToneSource;
import dev.tip.audio.WavFileSource;
import dev.tip.core.ClientStatistics;
import dev.tip.core.DisconnectReason;
import dev.tip.core.SessionFailedException;
import dev.tip.core.SessionListener;
import dev.tip.core.TipClient;
import dev.tip.core.User;
import dev.tip.core.audio.AudioSink;
import dev.tip.core.audio.AudioSource;
import dev.tip.core.voice.AudioFormat;
import dev.tip.gui.CallState.Member;
import dev.tip.gui.CallState.Phase;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The window's logic, without any Swing: it holds what the window shows ({@link CallState}),
 * takes the user's actions (connect, mute, push-to-talk, device choice, disconnect), runs the
 * {@link TipClient} and tells listeners of every new state. The view only draws states and calls
 * these methods.
 *
 * <p>Threads: the actions may be called from any thread (the view calls them on the event
 * dispatch thread) and never block: joining and leaving run on a worker thread of the presenter.
 * Statistics and the input level are polled every {@link Config#pollInterval}. Listeners are
 * called on whatever thread made the change (a worker, the client's listener thread, the poller),
 * one state at a time; a view hands the state over to its own thread.
 */
public final class Presenter implements AutoCloseable {

    /**
     * How the presenter joins.
     *
     * @param connectTimeout the time allowed to open the TCP connection
     * @param handshakeTimeout the time allowed for the server to take the nickname
     * @param pollInterval how often the statistics and the level are read in a call
     */
    public record Config(Duration connectTimeout, Duration handshakeTimeout, Duration pollInterval) {
        /** The application's: the client's default timeouts, a poll every 100 ms. */
        public static final Config DEFAULT = new Config(
                TipClient.DEFAULT_CONNECT_TIMEOUT, TipClient.DEFAULT_HANDSHAKE_TIMEOUT, Duration.ofMillis(100));

        /** Checks that the durations are positive. */
        public Config {
            for (Duration d : List.of(connectTimeout, handshakeTimeout, pollInterval)) {
                if (d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("durations must be positive, was " + d);
                }
            }
        }
    }

    private static final Logger log = LoggerFactory.getLogger(Presenter.class);
    private static final AudioFormat FORMAT = TipClient.ROOM_FORMAT;
    private static final double TONE_AMPLITUDE = 0.3;
    /** Above this input level this client shows as speaking. */
    private static final double SPEAKING_LEVEL = 0.02;

    private final GuiPreferences prefs;
    private final Config config;
    private final List<Consumer<CallState>> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService worker;
    private final ScheduledExecutorService poller;

    // guarded by this
    private CallState state;
    private TipClient client;
    private SwitchableSource source;
    private SwitchableSink sink;
    private int generation;
    private List<User> roster = List.of();
    private final Set<Integer> speaking = new HashSet<>();
    private String inputNote;
    private String outputNote;
    private boolean closed;

    /**
     * Creates a presenter showing the connect view, its fields filled from the preferences.
     *
     * @param prefs what the window remembers
     * @param config timeouts and poll interval
     */
    public Presenter(GuiPreferences prefs, Config config) {
        this.prefs = Objects.requireNonNull(prefs, "prefs");
        this.config = Objects.requireNonNull(config, "config");
        this.worker = Executors.newSingleThreadExecutor(r -> daemon(r, "tip-gui-worker"));
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "tip-gui-poll"));
        this.state = new CallState(
                Phase.CONNECT,
                prefs.server(),
                prefs.nick(),
                prefs.room(),
                null,
                null,
                null,
                List.of(),
                false,
                prefs.pushToTalkKey(),
                false,
                prefs.input(),
                prefs.output(),
                null,
                0,
                "");
        long every = config.pollInterval().toNanos();
        poller.scheduleWithFixedDelay(this::poll, every, every, TimeUnit.NANOSECONDS);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Returns what the window shows now.
     *
     * @return the current state
     */
    public synchronized CallState state() {
        return state;
    }

    /**
     * Returns the preferences this presenter reads and writes.
     *
     * @return the preferences
     */
    public GuiPreferences preferences() {
        return prefs;
    }

    /**
     * Adds a listener, told of every new state from now on.
     *
     * @param listener called with each new state, on the thread that made it
     */
    public void addListener(Consumer<CallState> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Fills the connect view's fields (from the command line), without joining.
     *
     * @param server the server, or null to keep the field
     * @param nick the nickname, or null to keep it
     * @param room the room, or null to keep it
     */
    public void prefill(String server, String nick, String room) {
        update(s -> with(
                s,
                s.phase(),
                server == null ? s.server() : server,
                nick == null ? s.nick() : nick,
                room == null ? s.room() : room,
                s.serverError(),
                s.nickError(),
                s.message()));
    }

    /**
     * Connect pressed: checks the fields and joins in the background. Errors in the fields show
     * next to them at once; the server's answer comes as a new state (the call view, or the
     * connect view with the reason in words). Does nothing unless the connect view shows.
     *
     * @param serverText the server field, HOST[:PORT]
     * @param nickText the nickname field
     * @param roomText the room field (TIP servers have one room: kept, not sent)
     */
    public void connect(String serverText, String nickText, String roomText) {
        String serverField = serverText == null ? "" : serverText.trim();
        String nick = nickText == null ? "" : nickText.strip();
        String room = roomText == null ? "" : roomText.trim();
        String serverError = null;
        String nickError = null;
        ServerAddress address = null;
        try {
            address = ServerAddress.parse(serverField);
        } catch (IllegalArgumentException e) {
            serverError = e.getMessage();
        }
        nickError = nickProblem(nick);
        int gen;
        synchronized (this) {
            if (closed || state.phase() != Phase.CONNECT) {
                return;
            }
            gen = ++generation;
            Phase phase = serverError == null && nickError == null ? Phase.CONNECTING : Phase.CONNECT;
            set(with(state, phase, serverField, nick, room, serverError, nickError, null));
            if (phase == Phase.CONNECT) {
                return;
            }
        }
        ServerAddress where = address;
        worker.execute(() -> {
            try {
                join(gen, where, nick, room, serverField);
            } catch (RuntimeException e) {
                log.warn("joining failed", e);
                failJoin(gen, new Words.Message(Words.Field.NONE, "Could not join: " + e));
            }
        });
    }

    /** The nickname's problem in words, or null when the server may take it. */
    static String nickProblem(String nick) {
        if (nick.isEmpty()) {
            return "Type a nickname: the name the room shows.";
        }
        if (nick.length() > TipClient.MAX_NICKNAME_LENGTH) {
            return "At most " + TipClient.MAX_NICKNAME_LENGTH + " characters (this one has " + nick.length() + ").";
        }
        try {
            TipClient.builder().nickname(nick);
            return null;
        } catch (IllegalArgumentException e) {
            return "Not a nickname the server takes: " + e.getMessage().replaceFirst("^invalid nickname: ", "") + ".";
        }
    }

    private void join(int gen, ServerAddress address, String nick, String room, String serverField) {
        try {
            InetAddress.getByName(address.host());
        } catch (UnknownHostException e) {
            failJoin(
                    gen,
                    new Words.Message(Words.Field.SERVER, "Unknown host " + address.host() + ": check the address."));
            return;
        }
        CallState now = state();
        SwitchableSource src = new SwitchableSource(FORMAT, openInput(now.input()));
        SwitchableSink snk = new SwitchableSink(FORMAT, openOutput(now.output()));
        TipClient c = TipClient.builder()
                .server(address.host(), address.port())
                .nickname(nick)
                .audioSource(src)
                .audioSink(snk)
                .connectTimeout(config.connectTimeout())
                .handshakeTimeout(config.handshakeTimeout())
                .listener(new Events(gen))
                .build();
        synchronized (this) {
            if (gen != generation || closed) {
                c.close();
                return;
            }
            client = c;
            source = src;
            sink = snk;
            roster = List.of();
            speaking.clear();
        }
        try {
            c.connect();
        } catch (SessionFailedException e) {
            c.close();
            synchronized (this) {
                if (client == c) {
                    client = null;
                    source = null;
                    sink = null;
                }
            }
            Duration timeout = e.reason() == DisconnectReason.TIMED_OUT
                    ? config.connectTimeout().plus(config.handshakeTimeout())
                    : config.handshakeTimeout();
            failJoin(gen, Words.joinFailed(e, address, timeout));
            return;
        }
        prefs.rememberJoin(serverField, nick, room);
        synchronized (this) {
            if (gen != generation || client != c) {
                return;
            }
            set(with(state, Phase.CALL, state.server(), state.nick(), state.room(), null, null, null));
            applyMute();
            refreshLocked();
        }
    }

    private void failJoin(int gen, Words.Message m) {
        synchronized (this) {
            if (gen != generation || state.phase() != Phase.CONNECTING) {
                return;
            }
            String serverError = m.field() == Words.Field.SERVER ? m.text() : null;
            String nickError = m.field() == Words.Field.NICK ? m.text() : null;
            String message = m.field() == Words.Field.NONE ? m.text() : null;
            set(with(
                    state, Phase.CONNECT, state.server(), state.nick(), state.room(), serverError, nickError, message));
        }
    }

    /**
     * Sets how loud one member is played (TIP/2; no effect in the original dialect).
     *
     * @param id the member's session id
     * @param volume 0 (silent) to 2 here (the library takes up to 4); 1 as received
     */
    public void setVolume(int id, double volume) {
        double v = Math.max(0, Math.min(2, volume));
        synchronized (this) {
            if (client != null) {
                client.setVolume(id, v);
            }
        }
    }

    /**
     * How loud one member is played.
     *
     * @param id the member's session id
     * @return the gain, 1 unless set or out of a call
     */
    public double volume(int id) {
        synchronized (this) {
            return client == null ? 1 : client.volume(id);
        }
    }

    /**
     * Mute toggled: the room stops (or starts again) hearing this client.
     *
     * @param mute true to mute
     */
    public void setMuted(boolean mute) {
        update(s -> s.withMuted(mute));
        synchronized (this) {
            applyMute();
        }
    }

    /**
     * Chooses the push-to-talk key: with one, the room hears this client only while it is held.
     *
     * @param keyCode a {@code java.awt.event.KeyEvent} key code, 0 to turn push-to-talk off
     */
    public void setPushToTalkKey(int keyCode) {
        prefs.setPushToTalkKey(keyCode);
        update(s -> s.withPushToTalkKey(keyCode));
        synchronized (this) {
            applyMute();
        }
    }

    /** The push-to-talk key went down: the room hears this client (unless muted). */
    public void pushToTalkPressed() {
        setTalking(true);
    }

    /** The push-to-talk key went up: the room no longer hears this client. */
    public void pushToTalkReleased() {
        setTalking(false);
    }

    private void setTalking(boolean talking) {
        synchronized (this) {
            if (state.talking() == talking) {
                return;
            }
            CallState s = state;
            set(s.withTalking(talking));
            applyMute();
        }
    }

    /**
     * Chooses the input; in a call the new source takes over at once.
     *
     * @param choice the input
     */
    public void setInput(InputChoice choice) {
        Objects.requireNonNull(choice, "choice");
        prefs.setInput(choice);
        worker.execute(() -> {
            AudioSource opened = null;
            synchronized (this) {
                inputNote = null;
            }
            boolean inCall;
            synchronized (this) {
                inCall = source != null;
            }
            if (inCall) {
                opened = openInput(choice);
            }
            synchronized (this) {
                if (opened != null) {
                    if (source != null) {
                        source.replace(opened);
                    } else {
                        opened.close();
                    }
                }
                CallState s = state;
                set(s.withInput(choice, audioNote()));
            }
        });
    }

    /**
     * Chooses the output; in a call the new sink takes over at once.
     *
     * @param choice the output
     */
    public void setOutput(OutputChoice choice) {
        Objects.requireNonNull(choice, "choice");
        prefs.setOutput(choice);
        worker.execute(() -> {
            boolean inCall;
            synchronized (this) {
                outputNote = null;
                inCall = sink != null;
            }
            AudioSink opened = inCall ? openOutput(choice) : null;
            synchronized (this) {
                if (inCall) {
                    if (sink != null) {
                        sink.replace(opened);
                    } else if (opened != null) {
                        opened.close();
                    }
                }
                CallState s = state;
                set(s.withOutput(choice, audioNote()));
            }
        });
    }

    /**
     * Ends this session's part of the state: its events no longer count, the client and its audio
     * are let go, and the connect view shows {@code message}. Must hold this presenter's lock.
     *
     * @return the client, to be closed off the lock
     */
    private TipClient endSession(String message) {
        generation++; // events of this session no longer count
        TipClient c = client;
        client = null;
        source = null;
        sink = null;
        roster = List.of();
        speaking.clear();
        set(with(state, Phase.CONNECT, state.server(), state.nick(), state.room(), null, null, message));
        return c;
    }

    /**
     * Disconnect pressed (or Cancel while joining): leaves the room in the background and shows
     * the connect view.
     */
    public void disconnect() {
        TipClient c;
        synchronized (this) {
            if (state.phase() == Phase.CONNECT) {
                return;
            }
            c = endSession("You left the room.");
        }
        if (c != null) {
            worker.execute(c::close);
        }
    }

    /** Leaves the room (if in one) and stops the presenter's threads. */
    @Override
    public void close() {
        TipClient c;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            generation++;
            c = client;
            client = null;
        }
        poller.shutdownNow();
        if (c != null) {
            c.close();
        }
        worker.shutdownNow();
    }

    // ------------------------------------------------------------------ audio

    private AudioSource openInput(InputChoice choice) {
        AudioSource opened;
        try {
            opened = switch (choice.kind()) {
                case MICROPHONE -> MicrophoneSource.open(FORMAT, choice.device());
                case TONE -> new ToneSource(FORMAT, choice.frequencyHz(), TONE_AMPLITUDE);
                case WAV -> {
                    if (!Files.isReadable(choice.file())) {
                        throw new IOException("cannot read " + choice.file());
                    }
                    yield new WavFileSource(choice.file(), FORMAT, true);
                }
                case SILENCE -> new SilenceSource(FORMAT);
            };
        } catch (IOException | RuntimeException e) {
            log.info("input {} not available: {}", choice, e.getMessage());
            synchronized (this) {
                inputNote = (choice.kind() == InputChoice.Kind.MICROPHONE
                                ? "No microphone"
                                : "Cannot open " + choice.label())
                        + ": the room hears silence. Choose a WAV file, a test tone or another device as input.";
            }
            return new SilenceSource(FORMAT);
        }
        synchronized (this) {
            inputNote = null;
        }
        return FORMAT.equals(opened.format()) ? opened : ConvertingSource.of(opened, FORMAT);
    }

    private AudioSink openOutput(OutputChoice choice) {
        if (!choice.speaker()) {
            synchronized (this) {
                outputNote = null;
            }
            return null;
        }
        try {
            AudioSink opened = SpeakerSink.open(FORMAT, choice.device());
            synchronized (this) {
                outputNote = null;
            }
            return FORMAT.equals(opened.format()) ? opened : ConvertingSink.of(opened, FORMAT);
        } catch (RuntimeException e) {
            log.info("output {} not available: {}", choice, e.getMessage());
            synchronized (this) {
                outputNote = "No speaker: you do not hear the room (the others hear you).";
            }
            return null;
        }
    }

    private synchronized String audioNote() {
        if (inputNote == null && outputNote == null) {
            return null;
        }
        return inputNote == null ? outputNote : outputNote == null ? inputNote : inputNote + " " + outputNote;
    }

    // ------------------------------------------------------------------ state

    /** Applies mute and push-to-talk to the client. Called with the lock held. */
    private void applyMute() {
        if (client != null) {
            CallState s = state;
            client.setMuted(!(!s.muted() && (s.pushToTalkKey() == 0 || s.talking())));
        }
    }

    private void poll() {
        synchronized (this) {
            if (client != null && state.phase() == Phase.CALL) {
                refreshLocked();
            }
        }
    }

    /** Rebuilds roster, level, note and statistics from the client. Called with the lock held. */
    private void refreshLocked() {
        CallState s = state;
        double level = source == null ? 0 : source.level();
        boolean sendingNow = s.sending() && level > SPEAKING_LEVEL;
        List<Member> members = new ArrayList<>();
        String me = client == null ? "" : client.nickname();
        int myId = client == null ? -1 : client.sessionId().orElse(-1);
        boolean selfSeen = false;
        for (User u : roster) {
            boolean self = !selfSeen && (u.id() >= 0 ? u.id() == myId : u.name().equals(me));
            selfSeen |= self;
            members.add(new Member(u.id(), u.name(), self, self ? sendingNow : speaking.contains(u.id())));
        }
        set(s.withLive(members, audioNote(), level, client == null ? "" : statistics(client)));
    }

    private static String statistics(TipClient c) {
        ClientStatistics st = c.statistics();
        String dialect = c.dialect()
                .map(d -> d == dev.tip.core.Dialect.TIP2 ? "TIP/2" : "original")
                .orElse("?");
        return String.format(
                Locale.ROOT,
                "%s%s, %s · sent %d · received %d · played %d · lost %s · late %s · concealed %d%s",
                dialect,
                st.voiceTransport() == dev.tip.core.VoiceTransport.TCP ? " over TCP (UDP blocked)" : "",
                st.bitrate() > 0 ? st.codec() + " " + st.bitrate() / 1000 + " kbit/s" : "PCM 20 kHz",
                st.framesSent(),
                st.framesReceived(),
                st.framesPlayed(),
                st.framesLost() < 0 ? "n/a" : String.valueOf(st.framesLost()),
                st.framesLate() < 0 ? "n/a" : String.valueOf(st.framesLate()),
                st.framesConcealed(),
                st.playoutDelayMillis() < 0 ? "" : " · delay " + st.playoutDelayMillis() + " ms");
    }

    private static CallState with(
            CallState s,
            Phase phase,
            String server,
            String nick,
            String room,
            String serverError,
            String nickError,
            String message) {
        boolean call = phase == Phase.CALL;
        return new CallState(
                phase,
                server,
                nick,
                room,
                serverError,
                nickError,
                message,
                call ? s.roster() : List.of(),
                s.muted(),
                s.pushToTalkKey(),
                call && s.talking(),
                s.input(),
                s.output(),
                s.audioNote(),
                call ? s.level() : 0,
                call ? s.statistics() : "");
    }

    private void update(java.util.function.UnaryOperator<CallState> change) {
        synchronized (this) {
            set(change.apply(state));
        }
    }

    /** Sets the state and tells the listeners, if it changed. Called with the lock held. */
    private void set(CallState next) {
        if (next.equals(state)) {
            return;
        }
        state = next;
        for (Consumer<CallState> l : listeners) {
            try {
                l.accept(next);
            } catch (RuntimeException e) {
                log.warn("a state listener failed", e);
            }
        }
    }

    /** The client's events for one session; stale sessions' events are ignored. */
    private final class Events implements SessionListener {
        private final int gen;

        Events(int gen) {
            this.gen = gen;
        }

        @Override
        public void rosterChanged(List<User> users) {
            synchronized (Presenter.this) {
                if (gen != generation) {
                    return;
                }
                roster = List.copyOf(users);
                if (state.phase() == Phase.CALL) {
                    refreshLocked();
                }
            }
        }

        @Override
        public void speakingChanged(User user, boolean talking) {
            synchronized (Presenter.this) {
                if (gen != generation) {
                    return;
                }
                if (talking) {
                    speaking.add(user.id());
                } else {
                    speaking.remove(user.id());
                }
                if (state.phase() == Phase.CALL) {
                    refreshLocked();
                }
            }
        }

        @Override
        public void disconnected(DisconnectReason reason, String detail) {
            TipClient c;
            synchronized (Presenter.this) {
                if (gen != generation || state.phase() != Phase.CALL) {
                    return; // left by the user, or still joining (connect() reports that)
                }
                c = endSession(Words.ended(reason, detail));
            }
            if (c != null) {
                worker.execute(c::close);
            }
        }
    }
}
