package dev.tip.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class ControlCodecPropertiesTest {

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(30),
                Arbitraries.strings().withChars("{}\"\\ab \n\u00e9\u65e5").ofMaxLength(12),
                Arbitraries.strings().all().ofMaxLength(8));
    }

    @Provide
    Arbitrary<JsonValue> jsonValues() {
        return jsonValues(2);
    }

    /** JSON values nested at most {@code depth} containers deep, so generation stays small. */
    private Arbitrary<JsonValue> jsonValues(int depth) {
        Arbitrary<JsonValue> scalars = Arbitraries.oneOf(
                Arbitraries.longs().map(JsonValue::of),
                names().map(JsonValue::of),
                Arbitraries.of(JsonValue.NULL, JsonValue.TRUE, JsonValue.FALSE));
        if (depth == 0) {
            return scalars;
        }
        Arbitrary<JsonValue> inner = jsonValues(depth - 1);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, scalars),
                net.jqwik.api.Tuple.of(1, inner.list().ofMaxSize(3).map(JsonValue.Arr::new)),
                net.jqwik.api.Tuple.of(
                        1,
                        Arbitraries.maps(
                                        Arbitraries.strings()
                                                .alpha()
                                                .ofMinLength(1)
                                                .ofMaxLength(4),
                                        inner)
                                .ofMaxSize(3)
                                .map(JsonValue.Obj::new)));
    }

    @Provide
    Arbitrary<Extensions> extensions() {
        return Arbitraries.maps(
                        Arbitraries.strings()
                                .withCharRange('A', 'Z')
                                .ofMinLength(1)
                                .ofMaxLength(6)
                                .filter(n -> !List.of("KEY", "NAME", "USERS", "REASON", "SESSION", "PORT")
                                        .contains(n)),
                        jsonValues())
                .ofMaxSize(3)
                .map(Extensions::of);
    }

    @Provide
    Arbitrary<ControlMessage> messages() {
        Arbitrary<Extensions> ext = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.just(Extensions.NONE)), net.jqwik.api.Tuple.of(1, extensions()));
        return Arbitraries.oneOf(
                ext.map(ControlMessage.Ack::new),
                ext.map(ControlMessage.UnknownError::new),
                ext.map(ControlMessage.ServerClose::new),
                Combinators.combine(names(), ext).as(ControlMessage.SendNickname::new),
                Combinators.combine(names().list().ofMaxSize(6), ext).as(ControlMessage.SendNewUsers::new),
                Combinators.combine(names().injectNull(0.3), ext).as(ControlMessage.Disconnect::new),
                Combinators.combine(Arbitraries.integers().between(0, Integer.MAX_VALUE), ext)
                        .as(ControlMessage.Session::new),
                Combinators.combine(Arbitraries.integers().between(1, 65535), ext)
                        .as(ControlMessage.ClientPort::new));
    }

    @Provide
    Arbitrary<List<ControlMessage>> messageLists() {
        return messages().list().ofMaxSize(6);
    }

    @Property(tries = 500)
    void decodingWhatWasEncodedGivesTheSameMessage(@ForAll("messages") ControlMessage m) {
        byte[] wire = new ControlEncoder().encode(m);
        assertThat(Vectors.decode(new ControlDecoder(), List.of(wire))).containsExactly(m);
    }

    @Property(tries = 200)
    void aStreamOfMessagesDecodesTheSameInAnyChunking(
            @ForAll("messageLists") List<ControlMessage> ms, @ForAll @IntRange(min = 1, max = 50) int chunk) {
        ControlEncoder enc = new ControlEncoder();
        List<byte[]> parts = new ArrayList<>();
        for (ControlMessage m : ms) {
            parts.add(enc.encode(m));
        }
        byte[] all = Vectors.concat(parts);
        List<byte[]> chunks = new ArrayList<>();
        for (int at = 0; at < all.length; at += chunk) {
            chunks.add(Arrays.copyOfRange(all, at, Math.min(all.length, at + chunk)));
        }
        assertThat(Vectors.decode(new ControlDecoder(), chunks)).isEqualTo(ms);
    }

    @Property(tries = 1000)
    void arbitraryBytesGiveOnlyMessagesOrProtocolExceptions(
            @ForAll @Size(max = 400) byte[] garbage, @ForAll @IntRange(min = 1, max = 64) int chunk) {
        feedExpectingOnlyProtocolOutcomes(garbage, chunk);
    }

    @Property(tries = 1000)
    void mutatedValidStreamsGiveOnlyMessagesOrProtocolExceptions(
            @ForAll("messages") ControlMessage m,
            @ForAll @IntRange(min = 0, max = 10_000) int where,
            @ForAll byte replacement,
            @ForAll @IntRange(min = 1, max = 64) int chunk) {
        byte[] wire = new ControlEncoder().encode(m);
        byte[] stream = Vectors.concat(List.of(wire, wire));
        stream[where % stream.length] = replacement;
        feedExpectingOnlyProtocolOutcomes(stream, chunk);
    }

    @Property(tries = 300)
    void truncatedOrRepeatedBracesNeverEscapeTheLimits(
            @ForAll @IntRange(min = 1, max = 2000) int opens, @ForAll @IntRange(min = 1, max = 64) int chunk) {
        byte[] stream =
                ("{\"KEY\": 0, \"X\": " + "[".repeat(opens)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        feedExpectingOnlyProtocolOutcomes(stream, chunk);
    }

    /**
     * Feeds the bytes in chunks with a small message limit; anything but a message or a
     * ProtocolException fails the property, and so does consuming past one message limit
     * without completing a message.
     */
    private static void feedExpectingOnlyProtocolOutcomes(byte[] stream, int chunk) {
        ProtocolLimits limits = ProtocolLimits.DEFAULT.withMaxMessageBytes(128);
        ControlDecoder d = new ControlDecoder(limits);
        long lastBoundary = 0;
        for (int at = 0; at < stream.length; at += chunk) {
            int n = Math.min(chunk, stream.length - at);
            d.feed(stream, at, n);
            while (true) {
                ControlMessage m;
                try {
                    m = d.next();
                } catch (ProtocolException e) {
                    if (!e.isRecoverable()) {
                        return;
                    }
                    lastBoundary = d.position();
                    continue;
                }
                if (m == null) {
                    break;
                }
                lastBoundary = d.position();
            }
            // whitespace aside, the decoder holds at most one message limit of undecided bytes
            assertThat(d.position() - lastBoundary).isLessThanOrEqualTo(2L * limits.maxMessageBytes() + chunk);
        }
    }
}
