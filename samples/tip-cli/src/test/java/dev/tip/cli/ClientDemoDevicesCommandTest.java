package dev.tip.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.audio.ToneSource;
import dev.tip.core.TipClient;
import dev.tip.server.LeaveReason;
import dev.tip.server.Participant;
import dev.tip.server.ServerListener;
import dev.tip.server.TipServer;
import dev.tip.testing.ToneDetector;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ClientDemoDevicesCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private InputStream originalIn;

    @BeforeEach
    void noConsoleInput() {
        // the client reads commands from standard input: give it an ended one, never the test runner's
        originalIn = System.in;
        System.setIn(new ByteArrayInputStream(new byte[0]));
    }

    @AfterEach
    void restoreInput() {
        System.setIn(originalIn);
    }

    private int run(String... args) {
        CommandLine cl = Tip.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(out, true));
        return cl.execute(args);
    }

    @Test
    void aServerWithANonNumericPortIsABadArgumentWithExitCodeTwoAndAShortMessage() {
        assertThat(run("client", "--server", "localhost:http", "--nick", "ann")).isEqualTo(2);
        assertThat(err.toString())
                .contains("--server", "the port is not a number", "tip client --help")
                .doesNotContain("\tat ")
                .doesNotContain("Usage:");
    }

    @Test
    void aServerWithoutAPortGetsTheDefaultPort() {
        assertThat(ServerAddress.parse("example.test", 9999)).isEqualTo(new ServerAddress("example.test", 9999));
        assertThat(ServerAddress.parse("[::1]", 9999)).isEqualTo(new ServerAddress("::1", 9999));
        assertThat(ServerAddress.parse("[::1]:7000", 9999)).isEqualTo(new ServerAddress("::1", 7000));
        assertThat(ServerAddress.parse("127.0.0.1:7000", 9999)).isEqualTo(new ServerAddress("127.0.0.1", 7000));
    }

    @Test
    void anUnknownHostIsReportedAsUnknownNotAsRefused() {
        // .invalid never resolves (RFC 6761)
        assertThat(run(
                        "client",
                        "--server",
                        "no-such-host.invalid",
                        "--nick",
                        "ann",
                        "--source",
                        "silence",
                        "--sink",
                        "null"))
                .isEqualTo(1);
        assertThat(err.toString()).contains("unknown host no-such-host.invalid").doesNotContain("refused");
    }

    @Test
    void aMistypedOptionGetsPicocliSuggestions() {
        assertThat(run("client", "--nick", "ann", "--sourc", "silence")).isEqualTo(2);
        assertThat(err.toString()).contains("'--sourc'", "Possible solutions: --source");
    }

    @Test
    void aMistypedCommandGetsPicocliSuggestions() {
        assertThat(run("clinet")).isEqualTo(2);
        assertThat(err.toString()).contains("Did you mean", "client");
    }

    @Test
    void tipWithoutACommandPrintsTheUsageAndExitsTwo() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("Usage: tip", "client", "demo");
    }

    @Test
    void tipVersionPrintsTheBuildsVersion() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).startsWith("tip " + dev.tip.core.TipVersion.version());
        assertThat(dev.tip.core.TipVersion.version()).doesNotContain("${").isNotBlank();
    }

    @Test
    void theDemoPrintsNoLogLinesWithoutVerbose(@TempDir Path dir) throws Exception {
        String javaExe = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        javaExe,
                        "-cp",
                        System.getProperty("java.class.path"),
                        "dev.tip.cli.Tip",
                        "demo",
                        "--clients",
                        "2",
                        "--seconds",
                        "1",
                        "--out",
                        dir.toString())
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        String all = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(all).isZero();
        assertThat(all).doesNotContain("[INFO]").doesNotContain("[DEBUG]").contains("alice");
    }

    @Test
    void anUnknownSourceIsABadArgumentNamingTheAcceptedForms() {
        assertThat(run("client", "--nick", "ann", "--source", "foo")).isEqualTo(2);
        assertThat(err.toString()).contains("--source", "'foo' is not a source", "tone:HZ", "wav:FILE", "silence");
    }

    @Test
    void anUnknownSinkAndAToneWithoutANumberAreBadArguments() {
        assertThat(run("client", "--nick", "ann", "--sink", "headphones")).isEqualTo(2);
        assertThat(run("client", "--nick", "ann", "--source", "tone:loud")).isEqualTo(2);
        assertThat(run("client", "--nick", "ann", "--source", "tone:15000")).isEqualTo(2);
        assertThat(err.toString()).contains("'headphones' is not a sink", "not a number", "below 10000 Hz");
    }

    @Test
    void anEmptyOrMissingNicknameIsABadArgument() {
        assertThat(run("client", "--nick", "")).isEqualTo(2);
        assertThat(err.toString()).contains("--nick", "must not be empty");
        assertThat(run("client", "--source", "silence")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required option: '--nick=NAME'");
    }

    @Test
    void aPortOutOfRangeAndANonPositiveDurationAreBadArguments() {
        assertThat(run("client", "--nick", "ann", "--server", "localhost:70000"))
                .isEqualTo(2);
        assertThat(run("client", "--nick", "ann", "--source", "silence", "--sink", "null", "--seconds", "0"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("1..65535", "--seconds");
    }

    @Test
    void aWavSourceThatDoesNotExistIsABadArgumentWithoutAStackTrace(@TempDir Path dir) {
        assertThat(run("client", "--nick", "ann", "--source", "wav:" + dir.resolve("missing.wav"), "--sink", "null"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--source wav:", "missing.wav").doesNotContain("\tat ");
    }

    @Test
    void aServerThatRefusesTheConnectionGivesOneLineAndExitCodeOne() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again: nothing listens there any more
        }
        assertThat(run(
                        "client",
                        "--server",
                        "127.0.0.1:" + port,
                        "--nick",
                        "ann",
                        "--source",
                        "silence",
                        "--sink",
                        "null"))
                .isEqualTo(1);
        assertThat(err.toString().strip())
                .startsWith("tip client: could not join 127.0.0.1:" + port + ": connection refused")
                .doesNotContain("\n")
                .doesNotContain("\tat ");
    }

    @Test
    void theClientJoinsAServerHearsTheOtherSideAndLeavesAfterItsSeconds(@TempDir Path dir) throws Exception {
        Map<String, LeaveReason> left = new ConcurrentHashMap<>();
        Path heard = dir.resolve("ann-heard.wav");
        try (TipServer server = TipServer.builder()
                        .port(0)
                        .bindAddress(InetAddress.getLoopbackAddress())
                        .jmx(false)
                        .listener(new ServerListener() {
                            @Override
                            public void userLeft(Participant user, LeaveReason reason) {
                                left.put(user.name(), reason);
                            }
                        })
                        .build()
                        .start();
                TipClient bob = TipClient.builder()
                        .server("127.0.0.1", server.tcpPort())
                        .nickname("bob")
                        .audioSource(new ToneSource(TipClient.ROOM_FORMAT, 800, 0.5))
                        .build()) {
            bob.connect();
            int code = run(
                    "client",
                    "--server",
                    "127.0.0.1:" + server.tcpPort(),
                    "--nick",
                    "ann",
                    "--source",
                    "tone:440",
                    "--sink",
                    "wav:" + heard,
                    "--seconds",
                    "2");
            assertThat(code).as(err.toString()).isZero();
            assertThat(out.toString())
                    .contains(
                            "In the room at 127.0.0.1:" + server.tcpPort() + " as ann",
                            "In the room (2): bob, ann",
                            "Left the room");
            assertThat(bob.statistics().framesReceived())
                    .as("bob received ann's voice")
                    .isPositive();
            await(() -> left.get("ann") == LeaveReason.QUIT, "the server sees ann quit");
        }
        short[] recording = DemoCommand.readAll(heard);
        assertThat(recording.length).isPositive();
        int[] frames = DemoCommand.framesByTone(recording, new double[] {440, 800});
        assertThat(frames[1]).as("frames of bob's 800 Hz in ann's recording").isGreaterThanOrEqualTo(5);
        assertThat(frames[0]).as("frames of ann's own 440 Hz").isZero();
        assertThat(ToneDetector.dominantFrequency(recording, TipClient.ROOM_FORMAT.sampleRate()))
                .isBetween(790.0, 810.0);
    }

    @Test
    void devicesListsBothKindsAndExitsZeroEvenWithoutDevices() {
        assertThat(run("devices")).isZero();
        assertThat(out.toString()).contains("Capture devices:", "Playback devices:");
    }

    @Test
    void theDemoRunsEndToEndAndEveryClientHearsEveryOther(@TempDir Path dir) {
        assertThat(run("demo", "--clients", "3", "--seconds", "1.5", "--out", dir.toString()))
                .as(out + "\n" + err)
                .isZero();
        assertThat(out.toString()).contains("alice", "bob", "carol", "Every client heard every other client");
        assertThat(List.of("alice.wav", "bob.wav", "carol.wav"))
                .allSatisfy(f -> assertThat(dir.resolve(f)).isRegularFile());
    }

    @Test
    void theDemoRefusesTooManyClients() {
        assertThat(run("demo", "--clients", "9")).isEqualTo(2);
        assertThat(err.toString()).contains("--clients", "2..8");
    }

    @Test
    void theHelpOfTheClientNamesItsOptionsAndExitCodes() {
        assertThat(run("client", "--help")).isZero();
        assertThat(out.toString())
                .contains(
                        "--server=HOST:PORT",
                        "--nick=NAME",
                        "--source=SOURCE",
                        "--sink=SINK",
                        "--seconds=S",
                        "Exit status");
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }
}
