package dev.tip.cli;

import dev.tip.server.NicknamePolicy;
import dev.tip.server.TipServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tip server}: runs a TIP server with the original's conventions (port 9999, the PORT
 * environment variable, a port argument) and its console (STOP, LIST), plus rooms, moderation,
 * STATS and HELP ({@link ServerConsole}).
 * Confined to the thread that runs it (the console runs on that thread).
 */
@Command(
        name = "server",
        mixinStandardHelpOptions = true,
        exitCodeOnInvalidInput = 2,
        description = {
            "Runs a TIP server: TCP control and UDP voice on one port, for original and TIP clients.",
            "Console commands on standard input: STOP, LIST, ROOMS, STATS, KICK <id> [reason], "
                    + "BAN <nickname> [minutes] [reason], BANIP <address> [minutes] [reason], UNBAN <value>, BANS, "
                    + "MUTE <id>, UNMUTE <id>, MOVE <id> <room>, HELP. The end of "
                    + "standard input does not stop the server: use STOP or Ctrl-C.",
            "Exit status: 0 stopped with STOP; 1 the port could not be bound; 2 bad arguments."
        })
public final class ServerCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger("tip.server");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "PORT",
            description = "Port for TCP and UDP (the original's argument). Default: $PORT, else 9999.")
    Integer positionalPort;

    @Option(
            names = "--port",
            paramLabel = "N",
            description = "Port for TCP and UDP; 0 picks a free one. Give either PORT or --port, not both.")
    Integer port;

    @Option(names = "--bind", paramLabel = "ADDR", description = "Local address to bind. Default: all IPv4 interfaces.")
    String bind;

    @Option(
            names = "--max-users",
            paramLabel = "N",
            description = "Most users at once (session ids 0..N-1). Default: ${DEFAULT-VALUE}.")
    int maxUsers = TipServer.DEFAULT_MAX_USERS;

    @Option(
            names = "--max-users-per-address",
            paramLabel = "N",
            description =
                    "Most users from one IP address (raise it for `tip load` from one host). Default: ${DEFAULT-VALUE}.")
    int maxUsersPerAddress = TipServer.DEFAULT_MAX_USERS_PER_ADDRESS;

    @Option(
            names = "--handshake-timeout",
            paramLabel = "SECONDS",
            description = "Time a new connection has to send its nickname. Default: ${DEFAULT-VALUE}.")
    double handshakeTimeoutSeconds = TipServer.DEFAULT_HANDSHAKE_TIMEOUT.toMillis() / 1000.0;

    @Option(
            names = "--max-message-bytes",
            paramLabel = "N",
            description = "Longest control message a client may send. Default: ${DEFAULT-VALUE}.")
    int maxMessageBytes = TipServer.DEFAULT_MAX_CONTROL_MESSAGE_BYTES;

    @Option(
            names = "--queue-bytes",
            paramLabel = "N",
            description = "Most bytes queued for one client before it is dropped. Default: ${DEFAULT-VALUE}.")
    int queueBytes = TipServer.DEFAULT_OUTBOUND_QUEUE_BYTES;

    @Option(
            names = "--unique-names",
            description = "Refuse a nickname that is already in use (default: allowed, as the original).")
    boolean uniqueNames;

    @Option(
            names = "--no-mix",
            description = "Forward every speaker's datagrams to original listeners, as the original server does, "
                    + "instead of one mixed stream (for relay benchmarks against a plain forwarder).")
    boolean noMix;

    @Option(
            names = "--pcm-only",
            description =
                    "TIP/2 clients send raw PCM too, as original ones do (default: Opus where the client offers it).")
    boolean pcmOnly;

    @Option(
            names = "--require-encryption",
            description = "Refuse clients that do not encrypt their voice (original clients and older TIP/2 ones); "
                    + "default: they join, TIP/2 clients that offer a key are encrypted either way.")
    boolean requireEncryption;

    @Option(
            names = "--resume-window",
            paramLabel = "SECONDS",
            description = "How long a TIP/2 client whose control connection broke may resume its session "
                    + "(same id, no leave seen by the others); 0 turns resumption off. Default: ${DEFAULT-VALUE}.")
    long resumeWindowSeconds = TipServer.DEFAULT_RESUME_WINDOW.toSeconds();

    @Option(
            names = "--voice-bitrate",
            paramLabel = "BITS",
            description = "Most bits per second a TIP/2 client's codec may use. Default: ${DEFAULT-VALUE}.")
    int voiceBitrate = TipServer.DEFAULT_VOICE_BITRATE;

    @Option(
            names = "--udp-buffer",
            paramLabel = "BYTES",
            description =
                    "SO_RCVBUF and SO_SNDBUF of the UDP socket (capped by the kernel); 0 keeps the system's. Default: ${DEFAULT-VALUE}.")
    int udpBuffer = 8 << 20;

    @Option(
            names = "--max-voice-rate",
            paramLabel = "N",
            description = "Most voice datagrams per second relayed from one member (beyond it they are dropped and"
                    + " counted); raise it for relay benchmarks. Default: ${DEFAULT-VALUE}.")
    int maxVoiceRate = TipServer.DEFAULT_MAX_VOICE_DATAGRAMS_PER_SECOND;

    @Option(
            names = "--rooms",
            paramLabel = "A,B,C",
            split = ",",
            description = "Permanent rooms; the first is the default room, where original clients land. "
                    + "Default: one room, \"lobby\". NAME:PASSWORD gives a room a password.")
    java.util.List<String> rooms = new java.util.ArrayList<>();

    @Option(
            names = "--open-rooms",
            description = "Let TIP/2 clients create rooms by naming them (an empty created room disappears).")
    boolean openRooms;

    @Option(
            names = "--ban-file",
            paramLabel = "FILE",
            description = "Keep bans in FILE across restarts (read at start, rewritten on every change).")
    java.nio.file.Path banFile;

    @Option(
            names = "--max-pending-per-address",
            paramLabel = "N",
            description = "Most unjoined connections from one IP address; beyond it the oldest gets \"Server busy\" "
                    + "(raise it for `tip load` bursts of connections). Default: ${DEFAULT-VALUE}.")
    int maxPendingPerAddress = TipServer.DEFAULT_MAX_PENDING_CONNECTIONS_PER_ADDRESS;

    @Option(
            names = "--roster-coalesce-ms",
            paramLabel = "MS",
            description = "Most often a client that needs full rosters gets one while the roster keeps changing; "
                    + "0 sends one per change. Default: ${DEFAULT-VALUE}.")
    long rosterCoalesceMs = TipServer.DEFAULT_ROSTER_COALESCE.toMillis();

    @Override
    public Integer call() throws Exception {
        TipServer.Builder builder = TipServer.builder();
        if (port != null && positionalPort != null) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "Give the port once: as PORT (" + positionalPort + ") or as --port (" + port + "), not both");
        }
        int chosenPort;
        try {
            chosenPort = resolvePort();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        option(port != null ? "--port" : "PORT", "port", () -> builder.port(chosenPort));
        option("--max-users", "maxUsers", () -> builder.maxUsers(maxUsers));
        option(
                "--resume-window",
                "resumeWindow",
                () -> builder.resumeWindow(java.time.Duration.ofSeconds(resumeWindowSeconds)));
        option("--max-users-per-address", "maxUsersPerAddress", () -> builder.maxUsersPerAddress(maxUsersPerAddress));
        for (String r : rooms) {
            int colon = r.indexOf(':');
            String name = colon < 0 ? r : r.substring(0, colon);
            String password = colon < 0 ? null : r.substring(colon + 1);
            option("--rooms", "name", () -> builder.room(name, password, 0));
        }
        builder.openRooms(openRooms);
        option(
                "--max-pending-per-address",
                "maxPendingConnectionsPerAddress",
                () -> builder.maxPendingConnectionsPerAddress(maxPendingPerAddress));
        option(
                "--roster-coalesce-ms",
                "rosterCoalesceInterval",
                () -> builder.rosterCoalesceInterval(java.time.Duration.ofMillis(rosterCoalesceMs)));
        builder.banFile(banFile);
        builder.mixOriginalListeners(!noMix);
        builder.requireEncryption(requireEncryption);
        if (pcmOnly) {
            builder.voiceCodecs(java.util.List.of());
        }
        option("--voice-bitrate", "voiceBitrate", () -> builder.voiceBitrate(voiceBitrate));
        option("--max-message-bytes", "maxControlMessageBytes", () -> builder.maxControlMessageBytes(maxMessageBytes));
        option("--queue-bytes", "outboundQueueBytes", () -> builder.outboundQueueBytes(queueBytes));
        option("--udp-buffer", "udpBufferBytes", () -> builder.udpBufferBytes(udpBuffer));
        option(
                "--max-voice-rate",
                "maxVoiceDatagramsPerSecond",
                () -> builder.maxVoiceDatagramsPerSecond(maxVoiceRate));
        builder.nicknamePolicy(uniqueNames ? NicknamePolicy.UNIQUE : NicknamePolicy.ORIGINAL_CLIENT);
        if (!(handshakeTimeoutSeconds > 0)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "Invalid value for option '--handshake-timeout': must be positive, was " + handshakeTimeoutSeconds);
        }
        builder.handshakeTimeout(Duration.ofMillis(Math.max(1, Math.round(handshakeTimeoutSeconds * 1000))));
        if (bind != null) {
            try {
                builder.bindAddress(InetAddress.getByName(bind));
            } catch (UnknownHostException e) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "Invalid value for option '--bind': unknown host " + bind);
            }
        }
        TipServer server;
        try {
            server = builder.build().start();
        } catch (UncheckedIOException e) {
            spec.commandLine().getErr().println("tip server: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(
                () -> {
                    server.close();
                    stopped.countDown();
                },
                "tip-server-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        PrintStream out = System.out;
        out.println("TIP server on port " + server.tcpPort() + " (TCP and UDP). Type HELP for commands.");
        out.flush();
        console(server, out);
        // standard input ended or STOP: with STOP the server is closed; at end of input keep serving
        stopped.await();
        return 0;
    }

    /**
     * Applies one option to the builder; the builder's refusal becomes a usage error that names
     * the option ({@code --max-users}), not the builder method ({@code maxUsers}).
     */
    private void option(String option, String builderParameter, Runnable apply) {
        try {
            apply.run();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "Invalid value for " + describeOption(option) + ": "
                            + withoutName(e.getMessage(), builderParameter));
        }
    }

    private static String describeOption(String option) {
        return option.startsWith("--") ? "option '" + option + "'" : "positional parameter " + option;
    }

    /** "maxUsers must be 1..65536, was 0" without the builder's parameter name: "must be 1..65536, was 0". */
    static String withoutName(String message, String builderParameter) {
        String m = String.valueOf(message);
        return m.startsWith(builderParameter + " ") ? m.substring(builderParameter.length() + 1) : m;
    }

    private int resolvePort() {
        if (port != null) {
            return port;
        }
        if (positionalPort != null) {
            return positionalPort;
        }
        String env = System.getenv("PORT");
        if (env != null && !env.isBlank()) {
            try {
                return Integer.parseInt(env.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("PORT environment variable is not a number: " + env);
            }
        }
        return TipServer.DEFAULT_PORT;
    }

    private void console(TipServer server, PrintStream out) {
        ServerConsole console = new ServerConsole(server, out);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.trim().equalsIgnoreCase("LIST")) {
                    LOG.info("Getting current user list");
                }
                if (!console.handle(line)) {
                    LOG.info("Stopping server...");
                    Runtime.getRuntime().exit(0);
                    return;
                }
            }
        } catch (java.io.IOException e) {
            LOG.warn("console input failed: {}", e.toString());
        }
        LOG.debug("standard input closed; serving until stopped by a signal");
    }
}
