package dev.tip.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tip.core.protocol.ProtocolException.Kind;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How the decoder classifies what goes wrong, now by type and its own state rather than by the
 * text of Jackson's messages; and the two integer edge cases that the split fixed.
 */
class ControlDecoderClassificationTest {

    private static ProtocolException firstError(ControlDecoder d, String stream) {
        byte[] b = stream.getBytes(StandardCharsets.UTF_8);
        d.feed(b, 0, b.length);
        return catchThrowableOfType(ProtocolException.class, () -> {
            while (d.next() != null) {
                // messages before the error
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"KEY\": 0, \"X\": nullUTF8}", "{\"KEY\": 0, \"X\": tUTF8}", "nUTF-8 "})
    void aSyntaxErrorIsMalformedEvenWhenTheBadTokenSpellsUtf8(String stream) {
        // the old decoder matched "UTF8" in Jackson's message and called this INVALID_UTF8
        ProtocolException e = firstError(new ControlDecoder(), stream);
        assertThat(e.kind()).as(e.getMessage()).isEqualTo(Kind.MALFORMED_JSON);
        assertThat(e.isRecoverable()).isFalse();
    }

    @Test
    void aTopLevelStringPastJacksonsLimitIsTooLongAndFatal() {
        ControlDecoder d = new ControlDecoder(ProtocolLimits.DEFAULT.withMaxMessageBytes(100));
        ProtocolException e = firstError(d, "\"" + "s".repeat(10_000) + "\" {\"KEY\": 0}");
        assertThat(e.kind()).isEqualTo(Kind.STRING_TOO_LONG);
        assertThat(e.isRecoverable()).isFalse();
        assertThat(catchThrowableOfType(ProtocolException.class, d::next)).isSameAs(e);
    }

    @Test
    void aTopLevelNumberPastJacksonsLimitIsMalformedAndFatal() {
        ProtocolException e = firstError(new ControlDecoder(), "1".repeat(2000) + " {\"KEY\": 0}");
        assertThat(e.kind()).isEqualTo(Kind.MALFORMED_JSON);
        assertThat(e.getMessage()).contains("Number value length");
        assertThat(e.isRecoverable()).isFalse();
    }

    @Test
    void aNumberPastJacksonsLimitInAMessageNamesItsKeyAndField() {
        ProtocolException e = firstError(new ControlDecoder(), "{\"KEY\": 0, \"X\": " + "1".repeat(2000) + "}");
        assertThat(e.kind()).isEqualTo(Kind.MALFORMED_JSON);
        assertThat(e.key()).isZero();
        assertThat(e.field()).isEqualTo("X");
    }

    @ParameterizedTest
    @ValueSource(strings = {"PORT\": -9223372036854775808, \"KEY\": 7", "KEY\": 7, \"PORT\": -9223372036854775808"})
    void theSmallestLongIsAPortOutOfRange(String fields) {
        // the old decoder took Long.MIN_VALUE for "not an integer" and let it through to
        // ClientPort, which threw IllegalArgumentException out of next()
        ControlDecoder d = new ControlDecoder();
        ProtocolException e = firstError(d, "{\"" + fields + "} {\"KEY\": 0}");
        assertThat(e.kind()).isEqualTo(Kind.OUT_OF_RANGE);
        assertThat(e.isRecoverable()).isTrue();
        assertThat(d.next()).isEqualTo(new ControlMessage.Ack());
    }

    @Test
    void theSmallestLongIsASessionOutOfRange() {
        // the old decoder accepted it as SESSION 0
        ProtocolException e = firstError(new ControlDecoder(), "{\"KEY\": 6, \"SESSION\": -9223372036854775808}");
        assertThat(e.kind()).isEqualTo(Kind.OUT_OF_RANGE);
        assertThat(e.getMessage()).contains("SESSION must be 0..2147483647, was -9223372036854775808");
    }
}
