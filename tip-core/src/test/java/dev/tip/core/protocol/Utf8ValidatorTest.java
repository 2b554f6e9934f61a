package dev.tip.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Utf8ValidatorTest {

    private static byte[] hex(String s) {
        String[] parts = s.trim().split("\\s+");
        byte[] b = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            b[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return b;
    }

    /** Scans in chunks of at most {@code chunk} bytes; returns {bad index, distance} or {-1, inSequence}. */
    private static int[] scanInChunks(byte[] b, int chunk) {
        Utf8Validator v = new Utf8Validator();
        for (int at = 0; at < b.length; at += chunk) {
            int bad = v.scan(b, at, Math.min(b.length, at + chunk));
            if (bad >= 0) {
                return new int[] {bad, v.distanceFromLead()};
            }
        }
        return new int[] {-1, v.inSequence() ? 1 : 0};
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            ASCII                          | 41 42 43             | -1 | 0
            two bytes (e acute)            | 41 C3 A9 42          | -1 | 0
            three bytes (euro sign)        | E2 82 AC             | -1 | 0
            four bytes (U+1F600)           | F0 9F 98 80          | -1 | 0
            U+10FFFF, the last code point  | F4 8F BF BF          | -1 | 0
            U+FFFF                         | EF BF BF             | -1 | 0
            overlong slash C0 AF           | 41 C0 AF             |  1 | 0
            overlong C1                    | C1 81                |  0 | 0
            overlong three bytes E0 80 AF  | E0 80 AF             |  1 | 1
            overlong four bytes F0 80      | F0 80 80 AF          |  1 | 1
            encoded surrogate ED A0 80     | 41 ED A0 80          |  2 | 1
            above U+10FFFF (F4 90)         | F4 90 80 80          |  1 | 1
            F5 never starts a sequence     | 41 F5 80 80          |  1 | 0
            FF never appears               | FF                   |  0 | 0
            a lone continuation byte       | 41 80                |  1 | 0
            a sequence cut by ASCII        | E2 82 41             |  2 | 2
            a new lead inside a sequence   | F0 9F C3 A9          |  2 | 2
            """)
    void findsTheFirstInvalidByteAndItsDistanceFromTheLeadInEveryChunking(
            String what, String bytes, int bad, int distance) {
        byte[] b = hex(bytes);
        for (int chunk = 1; chunk <= b.length; chunk++) {
            int[] r = scanInChunks(b, chunk);
            assertThat(r[0]).as("%s, chunks of %d", what, chunk).isEqualTo(bad);
            if (bad >= 0) {
                assertThat(r[1]).as("%s, chunks of %d", what, chunk).isEqualTo(distance);
            } else {
                assertThat(r[1]).as("%s ends inside a sequence", what).isZero();
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"C3", "E2", "E2 82", "F0", "F0 9F", "F0 9F 98"})
    void aSequenceThatTheChunkCutsOffIsKeptOpenNotRejected(String bytes) {
        Utf8Validator v = new Utf8Validator();
        byte[] b = hex(bytes);
        assertThat(v.scan(b, 0, b.length)).isEqualTo(-1);
        assertThat(v.inSequence()).isTrue();
    }

    @Provide
    Arbitrary<byte[]> nearlyUtf8() {
        // mostly valid text with some raw bytes mixed in, so that both outcomes are common
        Arbitrary<byte[]> text =
                Arbitraries.strings().all().ofMaxLength(6).map(s -> s.getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(3);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, text), net.jqwik.api.Tuple.of(1, raw))
                .list()
                .ofMaxSize(6)
                .map(parts -> {
                    ByteBuffer all = ByteBuffer.allocate(
                            parts.stream().mapToInt(p -> p.length).sum());
                    parts.forEach(all::put);
                    return all.array();
                });
    }

    @Property(tries = 2000)
    void agreesWithTheJdkDecoderInAnyChunking(
            @ForAll("nearlyUtf8") byte[] b, @ForAll @IntRange(min = 1, max = 8) int chunk) {
        int[] ours = scanInChunks(b, chunk);
        CharsetDecoder jdk = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b);
        CoderResult r = jdk.decode(in, CharBuffer.allocate(b.length * 2 + 2), true);
        if (ours[0] >= 0) {
            // the JDK reports a malformed sequence at its first byte, which is our lead byte
            assertThat(r.isMalformed()).isTrue();
            assertThat(in.position()).isEqualTo(ours[0] - ours[1]);
        } else if (ours[1] == 1) {
            // the input ends inside a sequence: a stream may still complete it, the JDK at the
            // end of its input calls it malformed, at most 3 bytes before the end
            assertThat(r.isMalformed()).isTrue();
            assertThat(in.position()).isGreaterThanOrEqualTo(b.length - 3);
        } else {
            assertThat(r.isMalformed())
                    .as("JDK result %s at %d", r, in.position())
                    .isFalse();
        }
    }
}
