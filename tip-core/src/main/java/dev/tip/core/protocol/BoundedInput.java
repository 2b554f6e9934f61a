package dev.tip.core.protocol;

import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import java.io.IOException;
import java.util.Objects;

/**
 * The framing side of {@link ControlDecoder}: holds the caller's chunk (without copying it) and
 * hands the JSON parser slices of it, never more than the caller says one message may still
 * take, and only bytes that {@link Utf8Validator} found valid. The parser gets nothing of a
 * broken UTF-8 sequence, not even its lead byte, so that what it decodes is exactly what RFC 3629
 * allows; the decoder reports the bad byte once the parser has used up the valid prefix.
 *
 * <p>Package-private (see {@link Utf8Validator} for why). Not thread-safe: one per decoder.
 */
final class BoundedInput {

    /** {@link #feedSlice}: a slice (or the end of the stream) went to the parser. */
    static final int FED = 0;
    /** {@link #feedSlice}: nothing left to feed; the caller must {@linkplain #feed feed} more. */
    static final int NEEDS_INPUT = 1;
    /** {@link #feedSlice}: the next byte is invalid UTF-8, at {@link #invalidUtf8At()}. */
    static final int INVALID_UTF8 = 2;
    /** {@link #feedSlice}: the message being decoded may take no more bytes. */
    static final int LIMIT_REACHED = 3;

    private final ByteArrayFeeder feeder;
    private final Utf8Validator utf8 = new Utf8Validator();

    private byte[] in;
    private int inPos;
    private int inEnd;
    private long fed;
    private boolean endOfInput;
    private long invalidUtf8At = -1;

    /**
     * Creates the input side of a decoder.
     *
     * @param feeder the parser's feeder
     */
    BoundedInput(ByteArrayFeeder feeder) {
        this.feeder = Objects.requireNonNull(feeder, "feeder");
    }

    /** See {@link ControlDecoder#needsInput()}. */
    boolean needsInput() {
        return inPos >= inEnd && feeder.needMoreInput();
    }

    /** See {@link ControlDecoder#feed}. */
    void feed(byte[] buf, int off, int len) {
        Objects.checkFromIndexSize(off, len, buf.length);
        if (endOfInput) {
            throw new IllegalStateException("feed after endOfInput");
        }
        if (!needsInput()) {
            throw new IllegalStateException(
                    "feed before the previous input was consumed: call next() until it returns null");
        }
        in = buf;
        inPos = off;
        inEnd = off + len;
    }

    /** See {@link ControlDecoder#endOfInput()}: the parser hears of it once it has the rest. */
    void endOfInput() {
        endOfInput = true;
        if (inPos >= inEnd) {
            feeder.endOfInput();
        }
    }

    /**
     * Tells whether the stream has ended and the parser has every byte of it.
     *
     * @return true after {@link #endOfInput()} once all input is fed
     */
    boolean ended() {
        return endOfInput && inPos >= inEnd;
    }

    /**
     * Returns how many bytes went to the parser: the stream offset of the next byte to feed.
     *
     * @return the offset
     */
    long fed() {
        return fed;
    }

    /**
     * Returns the stream offset of the invalid byte after {@link #INVALID_UTF8}.
     *
     * @return the offset, or -1 if none was found
     */
    long invalidUtf8At() {
        return invalidUtf8At;
    }

    /**
     * Feeds the parser the next slice, at most {@code allowed} bytes.
     *
     * @param allowed how many more bytes the message being decoded may take
     * @return {@link #FED}, {@link #NEEDS_INPUT}, {@link #INVALID_UTF8} or {@link #LIMIT_REACHED}
     * @throws IOException if the parser refuses the input
     */
    int feedSlice(long allowed) throws IOException {
        int available = inEnd - inPos;
        if (available <= 0) {
            // the valid prefix before a bad byte has been parsed: now the bad byte is reported
            if (invalidUtf8At >= 0) {
                return INVALID_UTF8;
            }
            if (endOfInput) {
                feeder.endOfInput();
                return FED;
            }
            return NEEDS_INPUT;
        }
        if (allowed <= 0) {
            return LIMIT_REACHED;
        }
        int n = (int) Math.min(available, allowed);
        int bad = utf8.scan(in, inPos, inPos + n);
        if (bad >= 0) {
            invalidUtf8At = fed + (bad - inPos);
            // cut before the lead byte of the broken sequence (or at the slice start if the lead
            // byte went out in an earlier slice), and drop the rest of the chunk
            int cut = Math.max(inPos, bad - utf8.distanceFromLead());
            n = cut - inPos;
            inEnd = cut;
            if (n == 0) {
                return INVALID_UTF8;
            }
        }
        feeder.feedInput(in, inPos, inPos + n);
        inPos += n;
        fed += n;
        if (inPos >= inEnd) {
            in = null;
        }
        return FED;
    }
}
