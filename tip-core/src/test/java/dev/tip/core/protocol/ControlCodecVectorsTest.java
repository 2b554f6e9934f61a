package dev.tip.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.core.protocol.Vectors.Vector;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ControlCodecVectorsTest {

    static Stream<Vector> encoded() {
        return Vectors.ORIGINAL.stream();
    }

    static Stream<Vector> all() {
        return Stream.concat(Vectors.ORIGINAL.stream(), Vectors.DECODE_ONLY.stream());
    }

    @ParameterizedTest
    @MethodSource("encoded")
    void encoderWritesExactlyTheVectorBytes(Vector v) {
        byte[] bytes = new ControlEncoder().encode(v.message());
        assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(new String(v.wire(), StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @MethodSource("encoded")
    void encoderOutputIsAsciiWithoutBraceSplitPointsInsideStrings(Vector v) {
        byte[] bytes = new ControlEncoder().encode(v.message());
        for (byte b : bytes) {
            assertThat(b).isBetween((byte) 0x20, (byte) 0x7e);
        }
        // the original peers split a read at every "}{": our bytes never contain one
        assertThat(new String(bytes, StandardCharsets.US_ASCII)).doesNotContain("}{");
    }

    @ParameterizedTest
    @MethodSource("encoded")
    void encodingIntoAByteBufferWritesTheSameBytes(Vector v) {
        ByteBuffer dst = ByteBuffer.allocate(v.wire().length + 3);
        dst.put((byte) 1);
        int n = new ControlEncoder().encode(v.message(), dst);
        assertThat(n).isEqualTo(v.wire().length);
        assertThat(Arrays.copyOfRange(dst.array(), 1, 1 + n)).isEqualTo(v.wire());
    }

    @Test
    void oneEncoderWritesManyMessagesBackToBackWithoutSeparators() {
        ControlEncoder enc = new ControlEncoder();
        List<byte[]> parts = new ArrayList<>();
        for (Vector v : Vectors.ORIGINAL) {
            parts.add(enc.encode(v.message()));
        }
        assertThat(Vectors.concat(parts))
                .isEqualTo(Vectors.concat(
                        Vectors.ORIGINAL.stream().map(Vector::wire).toList()));
    }

    @ParameterizedTest
    @MethodSource("all")
    void decoderReadsTheVectorWhole(Vector v) {
        assertThat(Vectors.decode(new ControlDecoder(), List.of(v.wire()))).containsExactly(v.message());
    }

    @ParameterizedTest
    @MethodSource("all")
    void decoderReadsTheVectorSplitAtEveryByteBoundary(Vector v) {
        byte[] w = v.wire();
        for (int i = 0; i <= w.length; i++) {
            List<byte[]> chunks = List.of(Arrays.copyOfRange(w, 0, i), Arrays.copyOfRange(w, i, w.length));
            assertThat(Vectors.decode(new ControlDecoder(), chunks))
                    .as("split at %d", i)
                    .containsExactly(v.message());
        }
    }

    @ParameterizedTest
    @MethodSource("all")
    void decoderReadsTheVectorByteByByte(Vector v) {
        List<byte[]> chunks = new ArrayList<>();
        for (byte b : v.wire()) {
            chunks.add(new byte[] {b});
        }
        assertThat(Vectors.decode(new ControlDecoder(), chunks)).containsExactly(v.message());
    }

    @Test
    void decoderReadsAllVectorsConcatenatedSplitAtEveryBoundary() {
        List<Vector> vs = all().toList();
        byte[] stream = Vectors.concat(vs.stream().map(Vector::wire).toList());
        List<ControlMessage> expected = vs.stream().map(Vector::message).toList();
        for (int i = 0; i <= stream.length; i++) {
            List<byte[]> chunks =
                    List.of(Arrays.copyOfRange(stream, 0, i), Arrays.copyOfRange(stream, i, stream.length));
            assertThat(Vectors.decode(new ControlDecoder(), chunks))
                    .as("split at %d", i)
                    .isEqualTo(expected);
        }
    }

    @Test
    void decoderReadsAllVectorsConcatenatedInRandomChunks() {
        List<Vector> vs = all().toList();
        byte[] stream = Vectors.concat(vs.stream().map(Vector::wire).toList());
        List<ControlMessage> expected = vs.stream().map(Vector::message).toList();
        SplittableRandom random = new SplittableRandom(42);
        for (int round = 0; round < 200; round++) {
            List<byte[]> chunks = new ArrayList<>();
            for (int at = 0; at < stream.length; ) {
                int n = Math.min(stream.length - at, 1 + random.nextInt(random.nextBoolean() ? 8 : 1500));
                chunks.add(Arrays.copyOfRange(stream, at, at + n));
                at += n;
            }
            assertThat(Vectors.decode(new ControlDecoder(), chunks)).isEqualTo(expected);
        }
    }

    @Test
    void decoderReadsMessagesFromTheMiddleOfALargerArray() {
        byte[] w = Vectors.ORIGINAL.get(2).wire();
        byte[] padded = new byte[w.length + 20];
        System.arraycopy(w, 0, padded, 10, w.length);
        ControlDecoder d = new ControlDecoder();
        d.feed(padded, 10, w.length);
        assertThat(d.next()).isEqualTo(Vectors.ORIGINAL.get(2).message());
        assertThat(d.next()).isNull();
        assertThat(d.needsInput()).isTrue();
        assertThat(d.position()).isEqualTo(w.length);
    }
}
