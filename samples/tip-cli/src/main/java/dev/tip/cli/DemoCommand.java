package dev.tip.cli;

import dev.tip.audio.ToneSource;
import dev.tip.audio.WavFileSink;
import dev.tip.audio.WavFileSource;
import dev.tip.core.ClientStatistics;
import dev.tip.core.SessionFailedException;
import dev.tip.core.TipClient;
import dev.tip.core.voice.AudioFormat;
import dev.tip.server.TipServer;
import dev.tip.testing.ToneDetector;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tip demo}: an embedded server on a loopback port and N clients, each sending its own tone
 * and recording what it hears; then it says, per client, which tones the recording holds. Needs
 * no audio device. Confined to the thread that runs it.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        exitCodeOnInvalidInput = 2,
        sortOptions = false,
        description = {
            "Starts a TIP server on a free loopback port and N clients that talk to each other with "
                    + "tones (no audio device needed): first in turns, then all at once (the clients mix the "
                    + "speakers they hear). Each records what it hears to a WAV file; at the end it lists "
                    + "whose tones each recording holds.",
            "Exit status: 0 every client heard every other client and not itself; 1 otherwise (or the "
                    + "server or a client could not start); 2 bad arguments.",
            ""
        })
public final class DemoCommand implements Callable<Integer> {

    static final String[] NAMES = {"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"};
    /**
     * One tone per client, 300 Hz apart: a frame (512 samples, 25.6 ms) resolves them with a
     * wide margin (the Hann window's main lobe is 78 Hz wide on either side).
     */
    static final double[] TONES_HZ = {500, 800, 1100, 1400, 1700, 2000, 2300, 2600};
    /**
     * Peak amplitude of all tones together: when everyone talks, a listener's mix of the others
     * stays below full scale, so it never clips (clipping would put intermodulation products on
     * the other tones' frequencies).
     */
    private static final double MIX_HEADROOM = 0.9;
    /**
     * Least amplitude of a tone in a frame for it to count as heard there. A frame holds one tone
     * while the clients take turns and several once they all talk.
     */
    static final double VOICE_THRESHOLD = 0.05;
    /** A speaker is heard when its tone fills at least this many frames (77 ms) of the recording... */
    static final int HEARD_MIN_FRAMES = 3;
    /** ...and at least this share of the frames with voice. */
    static final double HEARD_MIN_SHARE = 0.02;
    /** How long the clients may take to see each other in the roster before the recording starts. */
    private static final long JOIN_DEADLINE_MILLIS = 15_000;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--clients",
            paramLabel = "N",
            defaultValue = "3",
            description = "Number of clients, 2..8. Default: ${DEFAULT-VALUE}.")
    int clients;

    @Option(
            names = "--seconds",
            paramLabel = "S",
            defaultValue = "5",
            description = "How long they talk, in seconds (0.5..600). Default: ${DEFAULT-VALUE}.")
    double seconds;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Directory for the recordings (created if missing). Default: a new temporary directory.")
    Path out;

    @Option(
            names = "--verbose",
            description =
                    "Show the server's and clients' log lines (on standard error; tip.jar's main reads this flag first).")
    boolean verbose;

    @Override
    public Integer call() throws InterruptedException {
        if (clients < 2 || clients > NAMES.length) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "Invalid value for option '--clients': must be 2.." + NAMES.length + ", was " + clients);
        }
        if (!(seconds >= 0.5 && seconds <= 600)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "Invalid value for option '--seconds': must be 0.5..600, was " + seconds);
        }
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path dir;
        try {
            dir = out == null ? Files.createTempDirectory("tip-demo-") : Files.createDirectories(out);
        } catch (IOException e) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "Invalid value for option '--out': cannot create directory " + out + " (" + e + ")");
        }
        AudioFormat room = TipClient.ROOM_FORMAT;
        List<Path> recordings = new ArrayList<>();
        List<TipClient> talking = new ArrayList<>();
        String voice = null;
        TipServer server;
        try {
            server = TipServer.builder()
                    .port(0)
                    .bindAddress(InetAddress.getByName("127.0.0.1"))
                    .jmx(false)
                    .build()
                    .start();
        } catch (UncheckedIOException | IOException e) {
            err.println("tip demo: cannot start the server: " + e.getMessage());
            err.flush();
            return 1;
        }
        try (server) {
            o.printf(
                    Locale.ROOT,
                    "TIP demo: server on 127.0.0.1:%d; %s send their own tones, first in turns, "
                            + "then all at once (%s s in all).%n",
                    server.tcpPort(),
                    names(clients),
                    trim(seconds));
            o.println("Recordings: " + dir.toAbsolutePath());
            o.flush();
            for (int i = 0; i < clients; i++) {
                Path wav = dir.resolve(NAMES[i] + ".wav");
                recordings.add(wav);
                TipClient client = TipClient.builder()
                        .server("127.0.0.1", server.tcpPort())
                        .nickname(NAMES[i])
                        .audioSource(new ToneSource(room, TONES_HZ[i], Math.min(0.5, MIX_HEADROOM / (clients - 1))))
                        .audioSink(new WavFileSink(wav, room))
                        .build();
                client.setMuted(true);
                talking.add(client);
                client.connect();
            }
            awaitFullRoster(talking);
            // Half the time in turns, as people talk, then everyone at once: TIP/2 clients keep a
            // jitter buffer per speaker and mix them (the original dialect cannot tell speakers apart).
            long turnMillis = Math.round(seconds * 500 / clients);
            for (TipClient speaker : talking) {
                speaker.setMuted(false);
                Thread.sleep(turnMillis); // the talk itself: its length is the point
                speaker.setMuted(true);
            }
            talking.forEach(c -> c.setMuted(false));
            Thread.sleep(Math.round(seconds * 500));
            talking.forEach(c -> c.setMuted(true));
            voice = voiceLine(talking.get(0).statistics());
        } catch (SessionFailedException e) {
            err.println("tip demo: a client could not join: " + e.getMessage());
            err.flush();
            return 1;
        } catch (IOException e) {
            err.println("tip demo: cannot write a recording: " + e.getMessage());
            err.flush();
            return 1;
        } finally {
            // closing a client writes its WAV file
            talking.forEach(TipClient::close);
        }
        if (voice != null) {
            o.println(voice);
        }
        return report(o, recordings);
    }

    /** The codec in use and what one speaker costs on the wire, from the first client's own counters. */
    static String voiceLine(ClientStatistics s) {
        boolean pcm = s.bitrate() <= 0;
        double packetSeconds = pcm ? 0.0256 : 0.020;
        long perSecond = s.framesSent() == 0 ? 0 : Math.round(s.voiceBytesSent() / (s.framesSent() * packetSeconds));
        return String.format(
                Locale.ROOT,
                "Voice: %s, about %,d bytes/s of UDP payload per speaker while it talks.",
                pcm ? "raw PCM (20 kHz, 16-bit)" : s.codec() + " at " + s.bitrate() / 1000 + " kbit/s",
                perSecond);
    }

    private void awaitFullRoster(List<TipClient> talking) throws InterruptedException {
        long deadline = System.nanoTime() + JOIN_DEADLINE_MILLIS * 1_000_000;
        while (System.nanoTime() < deadline
                && !talking.stream().allMatch(c -> c.roster().size() == clients)) {
            Thread.sleep(10);
        }
    }

    private int report(PrintWriter o, List<Path> recordings) {
        double[] tones = Arrays.copyOf(TONES_HZ, clients);
        String[][] rows = new String[clients + 1][];
        rows[0] = new String[] {"client", "sends", "heard (share of the frames with voice)", "result"};
        // a frame can hold several voices once everyone talks, so the shares add up to more than 100%
        boolean allGood = true;
        for (int i = 0; i < clients; i++) {
            int[] frames;
            try {
                frames = framesByTone(readAll(recordings.get(i)), tones);
            } catch (IOException e) {
                frames = new int[clients + 1];
                spec.commandLine()
                        .getErr()
                        .println("tip demo: cannot read " + recordings.get(i) + ": " + e.getMessage());
            }
            int voiced = frames[clients];
            List<String> heard = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            for (int j = 0; j < clients; j++) {
                boolean present = frames[j] >= HEARD_MIN_FRAMES && frames[j] >= HEARD_MIN_SHARE * voiced;
                if (j == i) {
                    // the same test as for the others: a frame or two where the others' tones and
                    // a jitter-buffer cut leak into this tone's Goertzel bin is not an echo
                    if (present) {
                        problems.add("heard itself");
                    }
                    continue;
                }
                if (present) {
                    heard.add(String.format(Locale.ROOT, "%s %d%%", NAMES[j], Math.round(100.0 * frames[j] / voiced)));
                } else {
                    problems.add("missed " + NAMES[j]);
                }
            }
            allGood &= problems.isEmpty();
            rows[i + 1] = new String[] {
                NAMES[i],
                hz(tones[i]),
                heard.isEmpty() ? "nobody" : String.join(", ", heard),
                problems.isEmpty() ? "ok" : String.join(", ", problems)
            };
        }
        int[] width = new int[4];
        for (String[] row : rows) {
            for (int c = 0; c < 4; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        o.println();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder("  ");
            for (int c = 0; c < 4; c++) {
                line.append(row[c]).append(c < 3 ? " ".repeat(width[c] - row[c].length() + 3) : "");
            }
            o.println(line.toString().stripTrailing());
        }
        o.println();
        o.println(
                allGood
                        ? "Every client heard every other client, and not itself."
                        : "Not every client heard every other client (see the result column).");
        o.flush();
        return allGood ? 0 : 1;
    }

    /**
     * Counts, per candidate tone, the frames of a recording in which that tone is at least
     * {@link #VOICE_THRESHOLD} loud (a frame may count for several tones), and in the last
     * element the frames with any of them.
     */
    static int[] framesByTone(short[] recording, double[] tones) {
        int length = TipClient.ROOM_FORMAT.frameLength();
        int rate = TipClient.ROOM_FORMAT.sampleRate();
        int[] counts = new int[tones.length + 1];
        for (int start = 0; start + length <= recording.length; start += length) {
            short[] frame = Arrays.copyOfRange(recording, start, start + length);
            boolean voice = false;
            for (int t = 0; t < tones.length; t++) {
                if (ToneDetector.amplitude(frame, rate, tones[t]) >= VOICE_THRESHOLD) {
                    counts[t]++;
                    voice = true;
                }
            }
            if (voice) {
                counts[tones.length]++;
            }
        }
        return counts;
    }

    /** Reads a whole recording in the room's format. */
    static short[] readAll(Path wav) throws IOException {
        AudioFormat room = TipClient.ROOM_FORMAT;
        short[] frame = new short[room.frameLength()];
        short[] all = new short[room.frameLength() * 64];
        int n = 0;
        try (WavFileSource in = new WavFileSource(wav, room, false)) {
            while (in.read(frame)) {
                if (n + frame.length > all.length) {
                    all = Arrays.copyOf(all, all.length * 2);
                }
                System.arraycopy(frame, 0, all, n, frame.length);
                n += frame.length;
            }
        }
        return Arrays.copyOf(all, n);
    }

    private static String names(int n) {
        return String.join(", ", Arrays.asList(NAMES).subList(0, n - 1)) + " and " + NAMES[n - 1];
    }

    private static String hz(double hz) {
        return trim(hz) + " Hz";
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
