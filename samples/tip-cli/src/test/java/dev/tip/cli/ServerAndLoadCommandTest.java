package dev.tip.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ServerAndLoadCommandTest {

    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Tip.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        return cl.execute(args);
    }

    @Test
    void aPortOutOfRangeIsABadArgumentWithExitCodeTwoAndNoStackTrace() {
        assertThat(run("server", "--port", "70000")).isEqualTo(2);
        assertThat(err.toString()).contains("'--port'", "must be 0..65535").doesNotContain("\tat ");
    }

    @Test
    void aNonNumericOptionIsABadArgument() {
        assertThat(run("server", "--max-users", "many")).isEqualTo(2);
        assertThat(err.toString()).contains("--max-users").doesNotContain("\tat ");
    }

    @Test
    void aBadValueNamesTheOptionNotTheBuilderMethod() {
        assertThat(run("server", "--max-users", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("'--max-users'", "must be 1..65536").doesNotContain("maxUsers");
        err.getBuffer().setLength(0);
        assertThat(run("server", "--max-users-per-address", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("'--max-users-per-address'", "must be positive");
        err.getBuffer().setLength(0);
        assertThat(run("server", "--udp-buffer", "-1")).isEqualTo(2);
        assertThat(err.toString()).contains("'--udp-buffer'").doesNotContain("udpBufferBytes");
        err.getBuffer().setLength(0);
        assertThat(run("server", "--max-voice-rate", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("'--max-voice-rate'").doesNotContain("maxVoiceDatagramsPerSecond");
    }

    @Test
    void aPortArgumentTogetherWithThePortOptionIsABadArgument() {
        assertThat(run("server", "7000", "--port", "7001")).isEqualTo(2);
        assertThat(err.toString()).contains("PORT (7000)", "--port (7001)", "not both");
    }

    @Test
    void theLoadToolWritesASetupFailureToStandardErrorAndEscapedJsonToStandardOutput() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        java.io.ByteArrayOutputStream stdout = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream stderr = new java.io.ByteArrayOutputStream();
        java.io.PrintStream originalOut = System.out;
        java.io.PrintStream originalErr = System.err;
        int code;
        try {
            System.setOut(new java.io.PrintStream(stdout, true, java.nio.charset.StandardCharsets.UTF_8));
            System.setErr(new java.io.PrintStream(stderr, true, java.nio.charset.StandardCharsets.UTF_8));
            code = run("load", "--port", String.valueOf(closedPort), "--clients", "2", "--seconds", "1", "--json");
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        assertThat(code).isEqualTo(1);
        assertThat(stderr.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("tip load: setup failed");
        String line = stdout.toString(java.nio.charset.StandardCharsets.UTF_8).trim();
        try (com.fasterxml.jackson.core.JsonParser p =
                new com.fasterxml.jackson.core.JsonFactory().createParser(line)) {
            while (p.nextToken() != null) {
                // a parse error fails the test: the line is valid JSON
            }
        }
        assertThat(line).startsWith("{\"tool\":\"tip-load\",\"error\":\"");
    }

    @Test
    void jsonLinesEscapeQuotesAndControlCharacters() {
        String line = LoadCommand.jsonLine(g -> {
            g.writeStartObject();
            g.writeStringField("error", "a \"quoted\"\nname");
            g.writeEndObject();
        });
        assertThat(line).isEqualTo("{\"error\":\"a \\\"quoted\\\"\\nname\"}");
    }

    @Test
    void anUnknownOptionIsABadArgument() {
        assertThat(run("server", "--colour=blue")).isEqualTo(2);
        assertThat(err.toString()).contains("--colour");
    }

    @Test
    void theLoadToolRefusesANonLoopbackHost() {
        assertThat(run("load", "--host", "192.0.2.1", "--port", "9999")).isEqualTo(2);
        assertThat(err.toString()).contains("loopback").doesNotContain("\tat ");
    }

    @Test
    void theLoadToolMeasuresAnEmbeddedServerWithoutLoss() {
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.out;
        try (dev.tip.server.TipServer server = dev.tip.server.TipServer.builder()
                .port(0)
                .bindAddress(java.net.InetAddress.getLoopbackAddress())
                .jmx(false)
                .mixOriginalListeners(false) // tip load counts every speaker's datagrams, as a forwarder sends them
                .build()
                .start()) {
            System.setOut(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
            int code = run(
                    "load",
                    "--port",
                    String.valueOf(server.tcpPort()),
                    "--clients",
                    "3",
                    "--speakers",
                    "2",
                    "--rate",
                    "50",
                    "--seconds",
                    "1",
                    "--json");
            assertThat(code).as(err.toString()).isZero();
            assertThat(server.statistics().droppedProbe()).isEqualTo(3);
        } finally {
            System.setOut(original);
        }
        String json = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(json).contains("\"clients\":3", "\"expected\":200", "\"delivered\":200", "\"loss\":0.0");
    }

    @Test
    void theLoadToolSpreadsTip2ClientsOverRoomsAndExpectsCopiesWithinARoomOnly() {
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.out;
        try (dev.tip.server.TipServer server = dev.tip.server.TipServer.builder()
                .port(0)
                .bindAddress(java.net.InetAddress.getLoopbackAddress())
                .jmx(false)
                .openRooms(true)
                .build()
                .start()) {
            System.setOut(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
            int code = run(
                    "load",
                    "--port",
                    String.valueOf(server.tcpPort()),
                    "--clients",
                    "6",
                    "--rooms",
                    "2",
                    "--speakers",
                    "2",
                    "--rate",
                    "50",
                    "--seconds",
                    "1",
                    "--json");
            assertThat(code).as(err.toString()).isZero();
            // two speakers, one per room of three: each datagram reaches the two others of its room
            assertThat(server.statistics().datagramsRelayed()).isEqualTo(200);
        } finally {
            System.setOut(original);
        }
        String json = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(json).contains("\"rooms\":2", "\"expected\":200", "\"delivered\":200", "\"loss\":0.0");
        assertThat(run("load", "--clients", "6", "--rooms", "4")).isEqualTo(2);
    }

    @Test
    void theLoadToolRefusesMoreSpeakersThanClients() {
        assertThat(run("load", "--clients", "2", "--speakers", "3")).isEqualTo(2);
        assertThat(err.toString()).contains("--speakers");
    }
}
