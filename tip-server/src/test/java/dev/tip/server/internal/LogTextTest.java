package dev.tip.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Client text made safe for a log line. */
class LogTextTest {

    @Test
    void lineBreaksAndOtherControlsAreEscapedSoNoClientCanForgeALine() {
        String forged = "x\n12:00:00.000 [main] INFO dev.tip.server - 127.0.0.1 joined as admin\r\u001b[2J";
        String safe = LogText.safe(forged, 200);
        assertThat(safe).doesNotContain("\n", "\r", "\u001b");
        assertThat(safe).startsWith("x\\u000a12:00").contains("\\u000d\\u001b[2J");
    }

    @Test
    void backslashesAndNonAsciiAreEscapedSoTheEscapesThemselvesCannotBeForged() {
        assertThat(LogText.safe("a\\u000ab é")).isEqualTo("a\\\\u000ab \\u00e9");
    }

    @Test
    void longTextIsCutAndSaysHowMuchMoreThereWas() {
        assertThat(LogText.safe("y".repeat(10_000))).isEqualTo("y".repeat(LogText.MAX_CHARS) + "...(9920 more)");
        assertThat(LogText.safe("short")).isEqualTo("short");
        assertThat(LogText.safe(null)).isEqualTo("null");
    }
}
