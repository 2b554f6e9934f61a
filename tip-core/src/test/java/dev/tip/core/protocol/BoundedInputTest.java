package dev.tip.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BoundedInputTest {

    /** A feeder that takes every slice at once and remembers what it was given. */
    static final class RecordingFeeder implements ByteArrayFeeder {
        final List<String> slices = new ArrayList<>();
        final ByteArrayOutputStream all = new ByteArrayOutputStream();
        boolean ended;

        @Override
        public void feedInput(byte[] data, int offset, int end) {
            slices.add(new String(data, offset, end - offset, StandardCharsets.ISO_8859_1));
            all.write(data, offset, end - offset);
        }

        @Override
        public boolean needMoreInput() {
            return true;
        }

        @Override
        public void endOfInput() {
            ended = true;
        }
    }

    private final RecordingFeeder parser = new RecordingFeeder();
    private final BoundedInput input = new BoundedInput(parser);

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void handsOutSlicesNoLongerThanAllowedAndCountsThem() throws Exception {
        byte[] chunk = latin1("abcdefghij");
        input.feed(chunk, 2, 7);
        assertThat(input.needsInput()).isFalse();
        assertThat(input.feedSlice(3)).isEqualTo(BoundedInput.FED);
        assertThat(input.feedSlice(100)).isEqualTo(BoundedInput.FED);
        assertThat(parser.slices).containsExactly("cde", "fghi");
        assertThat(input.fed()).isEqualTo(7);
        assertThat(input.needsInput()).isTrue();
        assertThat(input.feedSlice(100)).isEqualTo(BoundedInput.NEEDS_INPUT);
    }

    @Test
    void aMessageWithNoBytesLeftGetsNoMore() throws Exception {
        input.feed(latin1("xyz"), 0, 3);
        assertThat(input.feedSlice(0)).isEqualTo(BoundedInput.LIMIT_REACHED);
        assertThat(input.feedSlice(-5)).isEqualTo(BoundedInput.LIMIT_REACHED);
        assertThat(parser.slices).isEmpty();
        assertThat(input.fed()).isZero();
    }

    @Test
    void theParserGetsNothingOfABrokenSequenceAndTheBadByteIsReportedAfterTheValidPrefix() throws Exception {
        // "ab", then ED A0 80 (an encoded surrogate): the lead byte ED must not reach the parser
        byte[] chunk = {'a', 'b', (byte) 0xed, (byte) 0xa0, (byte) 0x80, 'c'};
        input.feed(chunk, 0, chunk.length);
        assertThat(input.feedSlice(100)).isEqualTo(BoundedInput.FED);
        assertThat(parser.all.toByteArray()).containsExactly('a', 'b');
        assertThat(input.invalidUtf8At()).isEqualTo(3);
        assertThat(input.feedSlice(100)).isEqualTo(BoundedInput.INVALID_UTF8);
        // the rest of the chunk was dropped: the caller may not feed again past a fatal error,
        // but the decoder's state says there is nothing left to hand out
        assertThat(parser.slices).hasSize(1);
    }

    @Test
    void aBrokenSequenceWhoseLeadWentOutInAnEarlierChunkIsReportedAtOnce() throws Exception {
        input.feed(new byte[] {'a', (byte) 0xe2}, 0, 2);
        assertThat(input.feedSlice(100)).isEqualTo(BoundedInput.FED);
        assertThat(input.feedSlice(100)).isEqualTo(BoundedInput.NEEDS_INPUT);
        input.feed(new byte[] {(byte) 0x82, 'x'}, 0, 2);
        assertThat(input.feedSlice(100)).isEqualTo(BoundedInput.INVALID_UTF8);
        assertThat(input.invalidUtf8At()).isEqualTo(3);
        assertThat(parser.all.toByteArray()).containsExactly('a', (byte) 0xe2);
    }

    @Test
    void aSequenceSplitAcrossChunksAndSlicesIsValid() throws Exception {
        byte[] euro = "\u20ac".getBytes(StandardCharsets.UTF_8);
        input.feed(euro, 0, 1);
        assertThat(input.feedSlice(100)).isEqualTo(BoundedInput.FED);
        input.feed(euro, 1, 2);
        assertThat(input.feedSlice(1)).isEqualTo(BoundedInput.FED);
        assertThat(input.feedSlice(1)).isEqualTo(BoundedInput.FED);
        assertThat(parser.all.toByteArray()).isEqualTo(euro);
        assertThat(input.invalidUtf8At()).isEqualTo(-1);
    }

    @Test
    void theEndOfTheStreamReachesTheParserOnlyAfterTheLastByte() throws Exception {
        input.feed(latin1("ab"), 0, 2);
        input.endOfInput();
        assertThat(parser.ended).isFalse();
        assertThat(input.ended()).isFalse();
        assertThat(input.feedSlice(100)).isEqualTo(BoundedInput.FED);
        assertThat(input.ended()).isTrue();
        assertThat(parser.ended).isFalse();
        assertThat(input.feedSlice(100)).isEqualTo(BoundedInput.FED);
        assertThat(parser.ended).isTrue();
        assertThatThrownBy(() -> input.feed(latin1("c"), 0, 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("after endOfInput");
    }

    @Test
    void feedingBeforeTheLastChunkIsUsedUpIsRefused() throws Exception {
        input.feed(latin1("abc"), 0, 3);
        assertThat(input.feedSlice(1)).isEqualTo(BoundedInput.FED);
        assertThatThrownBy(() -> input.feed(latin1("d"), 0, 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("call next()");
        assertThatThrownBy(() -> input.feed(latin1("d"), 1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
