package dev.tip.cli;

import dev.tip.audio.AudioDeviceException;
import dev.tip.core.ClientStatistics;
import dev.tip.core.DisconnectReason;
import dev.tip.core.SessionFailedException;
import dev.tip.core.SessionListener;
import dev.tip.core.SessionState;
import dev.tip.core.TipClient;
import dev.tip.core.User;
import dev.tip.core.VoiceTransport;
import dev.tip.core.audio.AudioSink;
import dev.tip.core.audio.AudioSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tip client}: joins a room with a nickname, sends a microphone, a tone, a WAV file or
 * silence, plays into speakers, a WAV file or nothing, shows the roster as it changes and a live
 * status line, and takes {@code mute}, {@code unmute}, {@code users}, {@code quit} on standard
 * input. Confined to the thread that runs it (it starts its own daemon threads for the console
 * and the status line).
 */
@Command(
        name = "client",
        mixinStandardHelpOptions = true,
        exitCodeOnInvalidInput = 2,
        sortOptions = false,
        description = {
            "Joins a TIP room (a TIP server or the original Python server) and talks: voice from the "
                    + "source, what the room says to the sink, the roster as it changes and a status line.",
            "Commands: mute, unmute, users, quit, help. On a terminal they are typed at a prompt "
                    + "(Tab completes, Up/Down recall, Ctrl-D leaves like quit) and the live status is a bar "
                    + "on the last line; on a pipe or a dumb terminal (TERM=dumb) commands are read from "
                    + "standard input, status lines come every 5 s, and the end of the input does not leave "
                    + "the room: use quit, --seconds or Ctrl-C.",
            "Exit status: 0 left the room (quit, --seconds); 130 Ctrl-C (the client still says DISCONNECT "
                    + "Quit to the server first); 1 could not join, or the session "
                    + "ended from the other side (refused, timed out, nickname rejected, server closed, "
                    + "connection lost); 2 bad arguments, including a source or sink that cannot be opened "
                    + "(no audio device, unreadable file), with a message naming the alternatives.",
            ""
        },
        footer = {
            "",
            "Without audio devices:",
            "  tip client --nick ann --source tone:440 --sink wav:heard.wav --seconds 10"
        })
public final class ClientCommand implements Callable<Integer> {

    /** Peak amplitude of a tone source: loud enough to hear, far from clipping. */
    private static final double TONE_AMPLITUDE = 0.3;
    /** Exit status after Ctrl-C, as a shell reports a process ended by SIGINT. */
    static final int INTERRUPTED_EXIT_CODE = 130;
    /** Without a terminal, a status line this often (lines, not a redrawn line). */
    private static final int PLAIN_STATUS_EVERY_SECONDS = 5;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--server",
            paramLabel = "HOST:PORT",
            converter = ServerAddress.Converter.class,
            defaultValue = "127.0.0.1:" + TipClient.DEFAULT_PORT,
            description =
                    "The server, HOST[:PORT] (port 9999 when left out); an IPv6 address in brackets ([::1]:9999). Default: ${DEFAULT-VALUE}.")
    ServerAddress server;

    @Option(
            names = "--nick",
            paramLabel = "NAME",
            required = true,
            description = "Your nickname: 1 to 19 characters, no control characters.")
    String nick;

    @Option(
            names = "--source",
            paramLabel = "SOURCE",
            converter = SourceSpec.Converter.class,
            defaultValue = "mic",
            description =
                    "What you send: mic[:DEVICE], tone:HZ, wav:FILE (played once) or silence. Default: ${DEFAULT-VALUE}.")
    SourceSpec source;

    @Option(
            names = "--sink",
            paramLabel = "SINK",
            converter = SinkSpec.Converter.class,
            defaultValue = "speaker",
            description = "Where the room goes: speaker[:DEVICE], wav:FILE or null. Default: ${DEFAULT-VALUE}.")
    SinkSpec sink;

    @Option(names = "--pcm-only", description = "Offer raw PCM only (default: Opus too, and the server picks).")
    boolean pcmOnly;

    @Option(
            names = "--room",
            paramLabel = "NAME",
            description = "Join room NAME on a server that hosts several (TIP/2). Default: the server's default room.")
    String room;

    @Option(names = "--room-password", paramLabel = "PW", description = "The password of the room given with --room.")
    String roomPassword;

    @Option(
            names = "--seconds",
            paramLabel = "S",
            description = "Leave the room by itself after S seconds (and exit 0). Default: stay until quit.")
    Double seconds;

    private PrintWriter out;
    private PrintWriter err;
    private ClientConsole status;

    @Override
    public Integer call() {
        out = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        TipClient.Builder builder = TipClient.builder();
        if (pcmOnly) {
            builder.voiceCodecs(List.of());
        }
        try {
            builder.nickname(nick);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "Invalid value for option '--nick': " + e.getMessage());
        }
        try {
            builder.room(room, roomPassword);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "Invalid value for option '--room': " + e.getMessage());
        }
        if (seconds != null && !(seconds > 0 && seconds <= 1e9)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "Invalid value for option '--seconds': must be positive, was " + seconds);
        }
        AudioSource audioSource;
        AudioSink audioSink;
        try {
            audioSource = source.open(TipClient.ROOM_FORMAT, TONE_AMPLITUDE);
        } catch (AudioDeviceException | IOException e) {
            err.println("tip client: --source " + source + ": " + e.getMessage());
            err.flush();
            return 2;
        }
        try {
            audioSink = sink.open(TipClient.ROOM_FORMAT);
        } catch (AudioDeviceException | IOException e) {
            audioSource.close();
            err.println("tip client: --sink " + sink + ": " + e.getMessage());
            err.flush();
            return 2;
        }
        try {
            InetAddress.getByName(server.host()); // the client would report any failure as "refused"
        } catch (UnknownHostException e) {
            audioSource.close();
            audioSink.close();
            err.println("tip client: could not join " + server + ": unknown host " + server.host());
            err.flush();
            return 1;
        }
        status = ClientConsole.open(out, err);
        CompletableFuture<Integer> outcome = new CompletableFuture<>();
        Printer printer = new Printer(outcome);
        TipClient client = builder.server(server.host(), server.port())
                .audioSource(audioSource)
                .audioSink(audioSink)
                .listener(printer)
                .build();
        Thread hook = new Thread(client::close, "tip-client-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tip-client-status");
            t.setDaemon(true);
            return t;
        });
        try {
            try {
                client.connect();
            } catch (SessionFailedException e) {
                err.println(
                        "tip client: could not join " + server + ": " + describe(e.reason()) + " (" + detail(e) + ")");
                err.flush();
                return 1;
            }
            printer.joined = true;
            status.println("In the room at " + server + " as " + nick + " (session "
                    + client.sessionId().orElse(-1) + "), sending " + source + ", playing into " + sink
                    + ". Type help for commands.");
            int every = status.liveStatus() ? 1 : PLAIN_STATUS_EVERY_SECONDS;
            ticker.scheduleAtFixedRate(() -> status.status(statusText(client)), every, every, TimeUnit.SECONDS);
            Thread console = new Thread(() -> console(client, outcome), "tip-client-console");
            console.setDaemon(true);
            console.start();
            int code = await(outcome);
            ticker.shutdownNow();
            client.close();
            ClientStatistics s = client.statistics();
            status.status(""); // the bar empties before the last line
            status.println(String.format(
                    Locale.ROOT,
                    "%s: %d frames sent, %d received, %d played.",
                    code == 0 ? "Left the room" : "Session ended",
                    s.framesSent(),
                    s.framesReceived(),
                    s.framesPlayed()));
            return code;
        } finally {
            ticker.shutdownNow();
            client.close();
            status.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook closes the client
            }
        }
    }

    /** Waits for quit, the end of --seconds, or the end of the session; returns the exit status. */
    private int await(CompletableFuture<Integer> outcome) {
        try {
            if (seconds == null) {
                return outcome.get();
            }
            return outcome.get(Math.round(seconds * 1000), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } catch (ExecutionException e) {
            return 1;
        }
    }

    private void console(TipClient client, CompletableFuture<Integer> outcome) {
        try {
            while (!outcome.isDone()) {
                Object read = status.readCommand();
                if (read == ClientConsole.End.INTERRUPTED) {
                    outcome.complete(INTERRUPTED_EXIT_CODE); // Ctrl-C at the prompt: leave, as Ctrl-C elsewhere
                    return;
                }
                if (read == ClientConsole.End.END_OF_INPUT) {
                    if (status.liveStatus()) {
                        outcome.complete(0); // Ctrl-D at the prompt: leave, as quit
                    }
                    return; // a pipe ended: stay in the room (quit, --seconds or Ctrl-C leave)
                }
                String line = (String) read;
                String command = line.trim().toLowerCase(Locale.ROOT);
                if (command.startsWith("join ") || command.equals("join")) {
                    join(client, line.trim());
                    continue;
                }
                switch (command) {
                    case "" -> {}
                    case "mute" -> {
                        client.setMuted(true);
                        status.println("Muted: the room no longer hears you.");
                    }
                    case "unmute" -> {
                        client.setMuted(false);
                        status.println("Unmuted.");
                    }
                    case "users" ->
                        status.println(
                                roster(client.roster().stream().map(User::name).toList()));
                    case "rooms" -> rooms(client);
                    case "quit", "exit" -> outcome.complete(0);
                    case "help", "?" ->
                        status.println("Commands: mute, unmute, users (who is in the room), rooms (the server's rooms),"
                                + " join NAME [PASSWORD] (move to a room), quit (leave)."
                                + (status.liveStatus() ? " Tab completes, Up/Down recall." : ""));
                    default -> status.println("Unknown command '" + line.trim() + "'; type help.");
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!outcome.isDone()) {
                status.println("Standard input failed (" + e.getMessage() + "); commands are off, quit with Ctrl-C.");
            }
        }
    }

    private void rooms(TipClient client) {
        try {
            for (dev.tip.core.RoomListing r : client.rooms()) {
                boolean here = client.room().map(r.name()::equals).orElse(false);
                status.println((here ? "* " : "  ") + r.name() + "  " + r.members() + " user(s)"
                        + (r.maxUsers() > 0 ? " of " + r.maxUsers() : "")
                        + (r.passwordProtected() ? "  (password)" : ""));
            }
        } catch (dev.tip.core.TipException e) {
            status.println("rooms: " + e.getMessage());
        }
    }

    private void join(TipClient client, String line) {
        String[] words = line.split("\\s+", 3);
        if (words.length < 2) {
            status.println("usage: join NAME [PASSWORD]");
            return;
        }
        try {
            client.join(words[1], words.length > 2 ? words[2] : null);
            status.println("In room " + words[1] + " (users lists who is there).");
        } catch (dev.tip.core.RoomRefusedException e) {
            status.println("Not moved: " + e.getMessage());
        } catch (dev.tip.core.TipException | IllegalArgumentException e) {
            status.println("join: " + e.getMessage());
        }
    }

    private static String statusText(TipClient client) {
        ClientStatistics s = client.statistics();
        return String.format(
                Locale.ROOT,
                "%s  users %d  %s  %s  sent %d  received %d  dropped %d  loss %s  concealed %d%s%s",
                client.state(),
                client.roster().size(),
                codec(s),
                s.voiceTransport() == VoiceTransport.TCP ? "voice over TCP (UDP blocked)" : "voice over UDP",
                s.framesSent(),
                s.framesReceived(),
                s.framesDropped(),
                s.framesLost() < 0 ? "n/a" : String.valueOf(s.framesLost()),
                s.framesConcealed(),
                s.playoutDelayMillis() < 0 ? "" : "  delay " + s.playoutDelayMillis() + " ms",
                client.isMuted() ? "  MUTED" : "");
    }

    /** "opus 24 kbit/s" or "pcm". */
    static String codec(ClientStatistics s) {
        return s.bitrate() > 0 ? s.codec() + " " + (s.bitrate() / 1000) + " kbit/s" : s.codec();
    }

    static String roster(List<String> users) {
        return "In the room (" + users.size() + "): " + String.join(", ", users);
    }

    static String describe(DisconnectReason reason) {
        return switch (reason) {
            case QUIT -> "left";
            case REFUSED -> "connection refused";
            case TIMED_OUT -> "timed out";
            case NICKNAME_REJECTED -> "nickname rejected";
            case SERVER_CLOSED -> "server closed";
            case DISCONNECTED_BY_SERVER -> "disconnected by the server";
            case CONNECTION_LOST -> "connection lost";
            case PROTOCOL_ERROR -> "protocol error";
            case SERVER_FULL -> "server full";
            case RESUME_REFUSED -> "the server refused to resume the session";
        };
    }

    /** The exception's message without the reason it starts with (the enum name). */
    private static String detail(SessionFailedException e) {
        String m = String.valueOf(e.getMessage());
        String prefix = e.reason() + ": ";
        return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }

    /** Prints what the session tells; completes the outcome with 1 when the other side ends it. */
    private final class Printer implements SessionListener {
        private final CompletableFuture<Integer> outcome;
        private volatile boolean joined;

        Printer(CompletableFuture<Integer> outcome) {
            this.outcome = outcome;
        }

        @Override
        public void rosterChanged(List<User> members) {
            status.println(roster(members.stream().map(User::name).toList()));
        }

        @Override
        public void voiceTransportChanged(VoiceTransport transport) {
            status.println(
                    transport == VoiceTransport.TCP
                            ? "UDP does not get through: voice goes over the control connection (TCP)"
                            : "UDP works again: voice goes over UDP");
        }

        @Override
        public void stateChanged(SessionState oldState, SessionState newState) {
            if (newState == SessionState.RECONNECTING) {
                status.println("Connection lost: reconnecting to resume the session...");
            }
        }

        @Override
        public void sessionResumed(int sessionId) {
            status.println("Session " + sessionId + " resumed");
        }

        @Override
        public void disconnected(DisconnectReason reason, String detail) {
            if (reason == DisconnectReason.QUIT) {
                return;
            }
            // before connect() has returned, connect() itself reports the failure
            if (joined) {
                status.printlnErr("tip client: " + describe(reason)
                        + (detail == null || detail.isBlank() ? "" : " (" + detail + ")"));
            }
            outcome.complete(1);
        }
    }
}
