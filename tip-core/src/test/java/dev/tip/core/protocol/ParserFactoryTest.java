package dev.tip.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ParserFactoryTest {

    /** Feeds the whole input and reads every token; returns what was thrown, or null. */
    private static Throwable readAll(ProtocolLimits limits, String json) {
        JsonParser p = ParserFactory.newParser(limits);
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        ByteArrayFeeder feeder = (ByteArrayFeeder) p.getNonBlockingInputFeeder();
        return catchThrowable(() -> {
            feeder.feedInput(b, 0, b.length);
            feeder.endOfInput();
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.VALUE_STRING) {
                    p.getText();
                }
            }
        });
    }

    private static final ProtocolLimits SMALL =
            ProtocolLimits.DEFAULT.withMaxMessageBytes(100).withMaxStringChars(10);

    @Test
    void aStringPastJacksonsLimitIsAStringLimitException() {
        // the backstop is max(maxStringChars, maxMessageBytes) + 1 = 101 characters
        assertThat(readAll(SMALL, "\"" + "s".repeat(101) + "\"")).isNull();
        Throwable e = readAll(SMALL, "\"" + "s".repeat(5000) + "\"");
        assertThat(e).isInstanceOf(ParserFactory.StringLimitException.class);
        assertThat(((StreamConstraintsException) e).getOriginalMessage()).contains("String value length");
    }

    @Test
    void aNamePastJacksonsLimitIsAStringLimitException() {
        Throwable e = readAll(SMALL, "{\"" + "n".repeat(5000) + "\": 1}");
        assertThat(e).isInstanceOf(ParserFactory.StringLimitException.class);
    }

    @Test
    void nestingPastJacksonsLimitIsANestingLimitException() {
        // the backstop is maxNesting + 1 = 9
        assertThat(readAll(ProtocolLimits.DEFAULT, "[".repeat(9) + "]".repeat(9)))
                .isNull();
        Throwable e = readAll(ProtocolLimits.DEFAULT, "[".repeat(10) + "]".repeat(10));
        assertThat(e).isInstanceOf(ParserFactory.NestingLimitException.class);
    }

    @Test
    void aNumberPastJacksonsLimitKeepsThePlainException() {
        assertThat(readAll(ProtocolLimits.DEFAULT, "1".repeat(ParserFactory.MAX_NUMBER_CHARS) + " "))
                .isNull();
        Throwable e = readAll(ProtocolLimits.DEFAULT, "1".repeat(ParserFactory.MAX_NUMBER_CHARS + 1) + " ");
        assertThat(e).isExactlyInstanceOf(StreamConstraintsException.class).hasMessageContaining("Number value length");
    }
}
