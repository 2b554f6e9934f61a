package dev.tip.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tip.core.protocol.ProtocolException.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ControlDecoderErrorsTest {

    private static final String ACK = "{\"KEY\": 0}";

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Feeds everything, collecting messages and errors; stops at the first fatal error. */
    private static List<Object> run(ControlDecoder d, byte[]... chunks) {
        List<Object> out = new ArrayList<>();
        for (byte[] c : chunks) {
            d.feed(c, 0, c.length);
            while (true) {
                try {
                    ControlMessage m = d.next();
                    if (m == null) {
                        break;
                    }
                    out.add(m);
                } catch (ProtocolException e) {
                    out.add(e);
                    if (!e.isRecoverable()) {
                        return out;
                    }
                }
            }
        }
        return out;
    }

    private static ProtocolException onlyError(List<Object> out) {
        assertThat(out).first().isInstanceOf(ProtocolException.class);
        return (ProtocolException) out.get(0);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            missing KEY               | {"NAME": "x"}                          | MISSING_KEY      |    | 0
            unknown KEY               | {"KEY": 42, "FOO": [1]}                | UNKNOWN_KEY      | KEY | 0
            KEY as string             | {"KEY": "2", "NAME": "x"}              | WRONG_TYPE       | KEY | 8
            KEY with fraction         | {"KEY": 2.0, "NAME": "x"}              | WRONG_TYPE       | KEY | 8
            NAME missing              | {"KEY": 2}                             | MISSING_FIELD    | NAME | 0
            USERS missing             | {"KEY": 3}                             | MISSING_FIELD    | USERS | 0
            SESSION missing           | {"KEY": 6, "S": 1}                     | MISSING_FIELD    | SESSION | 0
            PORT missing              | {"KEY": 7}                             | MISSING_FIELD    | PORT | 0
            NAME a number             | {"KEY": 2, "NAME": 5}                  | WRONG_TYPE       | NAME | 19
            NAME an object            | {"KEY": 2, "NAME": {"a": [1, {}]}}     | WRONG_TYPE       | NAME | 19
            USERS holds a number      | {"KEY": 3, "USERS": ["a", 1]}          | WRONG_TYPE       | USERS | 26
            USERS a string            | {"KEY": 3, "USERS": "a"}               | WRONG_TYPE       | USERS | 20
            REASON a number           | {"KEY": 4, "REASON": 1}                | WRONG_TYPE       | REASON | 21
            PORT a string             | {"KEY": 7, "PORT": "5253"}             | WRONG_TYPE       | PORT | 19
            PORT with fraction        | {"KEY": 7, "PORT": 5253.5}             | WRONG_TYPE       | PORT | 19
            PORT zero                 | {"KEY": 7, "PORT": 0}                  | OUT_OF_RANGE     | PORT | 19
            PORT above 65535          | {"KEY": 7, "PORT": 65536}              | OUT_OF_RANGE     | PORT | 19
            PORT negative             | {"KEY": 7, "PORT": -1}                 | OUT_OF_RANGE     | PORT | 19
            PORT huge                 | {"KEY": 7, "PORT": 123456789012345678901234567890} | OUT_OF_RANGE | PORT | 19
            SESSION negative          | {"KEY": 6, "SESSION": -1}              | OUT_OF_RANGE     | SESSION | 22
            SESSION beyond int        | {"KEY": 6, "SESSION": 4294967296}      | OUT_OF_RANGE     | SESSION | 22
            late PORT out of range    | {"PORT": 70000, "KEY": 7}              | OUT_OF_RANGE     | PORT | 0
            late NAME wrong type      | {"NAME": [], "KEY": 2}                 | WRONG_TYPE       | NAME | 0
            late PORT huge exponent   | {"PORT": 1E999999999, "KEY": 7}        | OUT_OF_RANGE     | PORT | 0
            late PORT with fraction   | {"PORT": 52.5, "KEY": 7}               | WRONG_TYPE       | PORT | 0
            late PORT 5253.0          | {"PORT": 5253.0, "KEY": 7, "X": 1}     | WRONG_TYPE       | PORT | 0
            extension exponent beyond BigDecimal | {"KEY": 0, "X": 100E8923127844} | OUT_OF_RANGE | X | 16
            duplicate NAME            | {"KEY": 2, "NAME": "a", "NAME": "b"}   | DUPLICATE_FIELD  | NAME | 32
            duplicate KEY             | {"KEY": 2, "KEY": 2, "NAME": "a"}      | DUPLICATE_FIELD  | KEY | 18
            duplicate extension       | {"KEY": 0, "X": 1, "X": 2}             | DUPLICATE_FIELD  | X | 24
            """)
    void aBadMessageIsReportedAndTheStreamGoesOn(String what, String message, Kind kind, String field, long offset) {
        ControlDecoder d = new ControlDecoder();
        // a good message before and after: the bad one costs nothing else
        List<Object> out = run(d, bytes(ACK + "  " + message + ACK));
        assertThat(out).hasSize(3);
        assertThat(out.get(0)).isEqualTo(new ControlMessage.Ack());
        ProtocolException e = (ProtocolException) out.get(1);
        assertThat(e.kind()).as(e.getMessage()).isEqualTo(kind);
        assertThat(e.isRecoverable()).isTrue();
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.offset()).as(e.getMessage()).isEqualTo(ACK.length() + 2 + offset);
        assertThat(e.getMessage()).contains(kind.name()).contains("at byte " + e.offset());
        assertThat(out.get(2)).isEqualTo(new ControlMessage.Ack());
    }

    @Test
    void anUnknownKeyNamesTheKeySoANewerPeerCanBeRecognised() {
        ProtocolException e = onlyError(run(new ControlDecoder(), bytes("{\"KEY\": 9, \"DATA\": {\"a\": 1}}")));
        assertThat(e.kind()).isEqualTo(Kind.UNKNOWN_KEY);
        assertThat(e.key()).isEqualTo(9);
        assertThat(e.getMessage()).contains("KEY 9");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            5               | 0
            "text"          | 0
            true            | 0
            null            | 0
            [1, [2, {}], 3] | 0
            """)
    void aTopLevelValueThatIsNotAnObjectIsSkippedAndReported(String value, long offset) {
        List<Object> out = run(new ControlDecoder(), bytes(value + " " + ACK));
        assertThat(out).hasSize(2);
        ProtocolException e = (ProtocolException) out.get(0);
        assertThat(e.kind()).isEqualTo(Kind.NOT_AN_OBJECT);
        assertThat(e.isRecoverable()).isTrue();
        assertThat(e.offset()).isEqualTo(offset);
        assertThat(out.get(1)).isEqualTo(new ControlMessage.Ack());
    }

    @Test
    void aTopLevelArrayAfterASkippedFieldValueIsSkippedToo() {
        // regression (found by the mutation property): the skip after a bad NAME left the decoder
        // returning to field mode when it later skipped a top-level array
        List<Object> out = run(new ControlDecoder(), bytes("{\"KEY\": 2, \"NAME\": {\"a\": 1}}[1, 2]" + ACK));
        assertThat(out).hasSize(3);
        assertThat(((ProtocolException) out.get(0)).kind()).isEqualTo(Kind.WRONG_TYPE);
        assertThat(((ProtocolException) out.get(1)).kind()).isEqualTo(Kind.NOT_AN_OBJECT);
        assertThat(out.get(2)).isEqualTo(new ControlMessage.Ack());
    }

    @Test
    void malformedJsonIsFatalAndEveryLaterCallSaysSo() {
        ControlDecoder d = new ControlDecoder();
        List<Object> out = run(d, bytes(ACK + "{\"KEY\": 2,, \"NAME\": \"x\"}" + ACK));
        assertThat(out).hasSize(2);
        ProtocolException e = (ProtocolException) out.get(1);
        assertThat(e.kind()).isEqualTo(Kind.MALFORMED_JSON);
        assertThat(e.isRecoverable()).isFalse();
        assertThat(e.offset()).isBetween((long) ACK.length(), (long) ACK.length() + 12);
        assertThatThrownBy(d::next).isSameAs(e);
    }

    @Test
    void aFieldWithoutAValueIsMalformedInEveryChunking() {
        // regression (found by the mutation property): jackson-core's non-blocking parser accepts
        // this when the tab arrives in a chunk of its own
        byte[] bad = bytes("{\"KEY\": \t}" + ACK);
        for (int chunk = 1; chunk <= bad.length; chunk++) {
            ControlDecoder d = new ControlDecoder();
            List<byte[]> chunks = new ArrayList<>();
            for (int at = 0; at < bad.length; at += chunk) {
                chunks.add(Arrays.copyOfRange(bad, at, Math.min(bad.length, at + chunk)));
            }
            List<Object> out = run(d, chunks.toArray(new byte[0][]));
            assertThat(out).as("chunk %d", chunk).singleElement().isInstanceOf(ProtocolException.class);
            assertThat(((ProtocolException) out.get(0)).kind()).isEqualTo(Kind.MALFORMED_JSON);
        }
    }

    @Test
    void invalidUtf8IsFatal() {
        byte[] bad = bytes("{\"KEY\": 2, \"NAME\": \"ab\"}");
        bad[20] = (byte) 0xff;
        ProtocolException e = onlyError(run(new ControlDecoder(), bad));
        assertThat(e.kind()).as(e.getMessage()).isEqualTo(Kind.INVALID_UTF8);
        assertThat(e.isRecoverable()).isFalse();
        assertThat(e.offset()).isBetween(19L, 22L);
    }

    @Test
    void anOverlongUtf8SequenceIsFatal() {
        // 0xc0 0xaf is an overlong encoding of '/'
        byte[] bad = bytes("{\"KEY\": 2, \"NAME\": \"a__\"}");
        bad[21] = (byte) 0xc0;
        bad[22] = (byte) 0xaf;
        ProtocolException e = onlyError(run(new ControlDecoder(), bad));
        assertThat(e.kind()).as(e.getMessage()).isEqualTo(Kind.INVALID_UTF8);
        assertThat(e.offset()).isEqualTo(21);
        assertThat(e.isRecoverable()).isFalse();
    }

    @Test
    void messagesBeforeInvalidUtf8AreStillDelivered() {
        byte[] good = bytes(ACK + "{\"KEY\": 2, \"NAME\": \"caf\u00e9\"}");
        byte[] all = Arrays.copyOf(good, good.length + 3);
        all[good.length] = (byte) 0xed; // an encoded surrogate: ED A0 80
        all[good.length + 1] = (byte) 0xa0;
        all[good.length + 2] = (byte) 0x80;
        List<Object> out = run(new ControlDecoder(), all);
        assertThat(out).hasSize(3);
        assertThat(out.get(1)).isEqualTo(new ControlMessage.SendNickname("caf\u00e9"));
        assertThat(((ProtocolException) out.get(2)).kind()).isEqualTo(Kind.INVALID_UTF8);
        assertThat(((ProtocolException) out.get(2)).offset()).isEqualTo(good.length + 1);
    }

    @Test
    void nestingDeeperThanTheLimitIsFatalAndNamesTheLimit() {
        String deep = "{\"KEY\": 0, \"X\": " + "[".repeat(8) + "]".repeat(8) + "}";
        ProtocolException e = onlyError(run(new ControlDecoder(), bytes(deep)));
        assertThat(e.kind()).isEqualTo(Kind.NESTING_TOO_DEEP);
        assertThat(e.getMessage()).contains("maxNesting=8");
        assertThat(e.isRecoverable()).isFalse();
        // one level less is fine
        String ok = "{\"KEY\": 0, \"X\": " + "[".repeat(7) + "]".repeat(7) + "}";
        assertThat(run(new ControlDecoder(), bytes(ok))).singleElement().isInstanceOf(ControlMessage.Ack.class);
    }

    @Test
    void aMessageLongerThanTheLimitIsFatalAndNamesTheLimit() {
        ProtocolLimits limits = ProtocolLimits.DEFAULT.withMaxMessageBytes(100);
        String name = "x".repeat(100);
        List<Object> out = run(new ControlDecoder(limits), bytes(ACK + " {\"KEY\": 2, \"NAME\": \"" + name + "\"}"));
        assertThat(out).hasSize(2).first().isEqualTo(new ControlMessage.Ack());
        ProtocolException e = (ProtocolException) out.get(1);
        assertThat(e.kind()).isEqualTo(Kind.MESSAGE_TOO_LONG);
        assertThat(e.offset()).isEqualTo(ACK.length() + 1);
        assertThat(e.getMessage()).contains("maxMessageBytes=100");
        assertThat(e.isRecoverable()).isFalse();
    }

    @Test
    void aMessageExactlyAtTheLimitIsAccepted() {
        String m = "{\"KEY\": 2, \"NAME\": \"" + "y".repeat(100 - 22) + "\"}";
        assertThat(m).hasSize(100);
        ProtocolLimits limits = ProtocolLimits.DEFAULT.withMaxMessageBytes(100);
        assertThat(run(new ControlDecoder(limits), bytes(m + m)))
                .hasSize(2)
                .allMatch(o -> o instanceof ControlMessage.SendNickname);
        ProtocolLimits tighter = ProtocolLimits.DEFAULT.withMaxMessageBytes(99);
        assertThat(onlyError(run(new ControlDecoder(tighter), bytes(m))).kind()).isEqualTo(Kind.MESSAGE_TOO_LONG);
    }

    @Test
    void aNeverEndingMessageIsCutOffWithoutBufferingPastTheLimit() {
        ProtocolLimits limits = ProtocolLimits.DEFAULT.withMaxMessageBytes(1024).withMaxStringChars(1 << 20);
        ControlDecoder d = new ControlDecoder(limits);
        byte[] head = bytes("{\"KEY\": 2, \"NAME\": \"");
        byte[] chunk = new byte[4096];
        Arrays.fill(chunk, (byte) 'z');
        d.feed(head, 0, head.length);
        assertThat(d.next()).isNull();
        ProtocolException e = null;
        for (int i = 0; i < 256 && e == null; i++) {
            if (d.needsInput()) {
                d.feed(chunk, 0, chunk.length);
            }
            try {
                assertThat(d.next()).isNull();
            } catch (ProtocolException x) {
                e = x;
            }
            // the parser never holds more than the limit of the message being decoded
            assertThat(d.position()).isLessThanOrEqualTo(1024);
        }
        assertThat(e).isNotNull();
        assertThat(e.kind()).isEqualTo(Kind.MESSAGE_TOO_LONG);
    }

    @Test
    void aStringLongerThanItsLimitIsFatal() {
        ProtocolLimits limits = ProtocolLimits.DEFAULT.withMaxStringChars(10);
        ProtocolException e =
                onlyError(run(new ControlDecoder(limits), bytes("{\"KEY\": 2, \"NAME\": \"" + "n".repeat(11) + "\"}")));
        assertThat(e.kind()).isEqualTo(Kind.STRING_TOO_LONG);
        assertThat(e.getMessage()).contains("maxStringChars=10");
        assertThat(run(new ControlDecoder(limits), bytes("{\"KEY\": 2, \"NAME\": \"" + "n".repeat(10) + "\"}")))
                .singleElement()
                .isInstanceOf(ControlMessage.SendNickname.class);
    }

    @Test
    void moreUsersThanTheLimitIsReportedAndTheStreamGoesOn() {
        ProtocolLimits limits = ProtocolLimits.DEFAULT.withMaxUsers(3);
        List<Object> out =
                run(new ControlDecoder(limits), bytes("{\"KEY\": 3, \"USERS\": [\"a\", \"b\", \"c\", \"d\"]}" + ACK));
        assertThat(out).hasSize(2);
        assertThat(((ProtocolException) out.get(0)).kind()).isEqualTo(Kind.TOO_MANY_ELEMENTS);
        assertThat(out.get(1)).isEqualTo(new ControlMessage.Ack());
    }

    @Test
    void aStreamThatEndsInsideAMessageIsReportedAsMalformed() {
        ControlDecoder d = new ControlDecoder();
        byte[] part = bytes(ACK + "{\"KEY\": 2, \"NA");
        d.feed(part, 0, part.length);
        assertThat(d.next()).isEqualTo(new ControlMessage.Ack());
        assertThat(d.next()).isNull();
        d.endOfInput();
        ProtocolException e = catchThrowableOfType(ProtocolException.class, d::next);
        assertThat(e.kind()).isEqualTo(Kind.MALFORMED_JSON);
        assertThat(e.getMessage()).contains("ended inside a message");
    }

    @Test
    void aStreamThatEndsBetweenMessagesEndsQuietly() {
        ControlDecoder d = new ControlDecoder();
        byte[] all = bytes(ACK + "  ");
        d.feed(all, 0, all.length);
        assertThat(d.next()).isEqualTo(new ControlMessage.Ack());
        d.endOfInput();
        assertThat(d.next()).isNull();
    }

    @Test
    void feedingBeforeThePreviousInputIsConsumedIsRejected() {
        ControlDecoder d = new ControlDecoder();
        byte[] two = bytes(ACK + ACK);
        d.feed(two, 0, two.length);
        assertThat(d.next()).isNotNull();
        assertThatThrownBy(() -> d.feed(two, 0, two.length))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("call next()");
    }

    @Test
    void limitsRejectNonsenseAndNameTheParameter() {
        assertThatThrownBy(() -> ProtocolLimits.DEFAULT.withMaxMessageBytes(0)).hasMessageContaining("maxMessageBytes");
        assertThatThrownBy(() -> ProtocolLimits.DEFAULT.withMaxNesting(1)).hasMessageContaining("maxNesting");
        assertThatThrownBy(() -> ProtocolLimits.DEFAULT.withMaxUsers(0)).hasMessageContaining("maxUsers");
        assertThatThrownBy(() -> new ControlMessage.ClientPort(0)).hasMessageContaining("port");
        assertThatThrownBy(() -> new ControlMessage.Session(-1)).hasMessageContaining("session");
    }
}
