package dev.tip.core.protocol;

/**
 * Checks that a byte stream is well-formed UTF-8 (RFC 3629: no overlong forms, no encoded
 * surrogates, nothing above U+10FFFF), one chunk at a time, carrying a partial sequence from one
 * chunk to the next. Jackson decodes some invalid UTF-8 (overlong forms, encoded surrogates)
 * without complaint, so {@link BoundedInput} runs every byte through this first.
 *
 * <p>Package-private, like the other parts of {@link ControlDecoder}: the decoder is the only
 * entry point, and nothing here becomes API, not even on the class path (where the module's
 * unexported packages are visible). Not thread-safe: one per decoder. Allocates nothing.
 */
final class Utf8Validator {

    /** Continuation bytes still expected by the sequence being checked. */
    private int need;
    /** The range the next continuation byte must fall in (narrower after E0, ED, F0, F4). */
    private int lo;

    private int hi;
    /** How far the byte last checked is from the lead byte of its sequence (0 for a lead byte). */
    private int fromLead;

    /**
     * Checks {@code b[from..to)}, continuing a sequence that an earlier call left open.
     *
     * @param b the bytes
     * @param from the first byte to check
     * @param to one past the last
     * @return the index of the first invalid byte, or -1 if all of them are valid so far
     */
    int scan(byte[] b, int from, int to) {
        int need = this.need;
        int lo = this.lo;
        int hi = this.hi;
        for (int i = from; i < to; i++) {
            int c = b[i] & 0xff;
            if (need == 0) {
                if (c < 0x80) {
                    continue;
                }
                // the lead byte says how many continuation bytes follow and, for the second of
                // them, the range that rules out overlong forms, surrogates and > U+10FFFF
                if (c >= 0xc2 && c <= 0xdf) {
                    need = 1;
                    lo = 0x80;
                    hi = 0xbf;
                } else if (c == 0xe0) {
                    need = 2;
                    lo = 0xa0;
                    hi = 0xbf;
                } else if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef) {
                    need = 2;
                    lo = 0x80;
                    hi = 0xbf;
                } else if (c == 0xed) {
                    need = 2;
                    lo = 0x80;
                    hi = 0x9f;
                } else if (c == 0xf0) {
                    need = 3;
                    lo = 0x90;
                    hi = 0xbf;
                } else if (c >= 0xf1 && c <= 0xf3) {
                    need = 3;
                    lo = 0x80;
                    hi = 0xbf;
                } else if (c == 0xf4) {
                    need = 3;
                    lo = 0x80;
                    hi = 0x8f;
                } else {
                    this.need = 0;
                    fromLead = 0;
                    return i;
                }
                fromLead = 0;
            } else {
                fromLead++;
                if (c < lo || c > hi) {
                    this.need = 0;
                    return i;
                }
                lo = 0x80;
                hi = 0xbf;
                need--;
            }
        }
        this.need = need;
        this.lo = lo;
        this.hi = hi;
        return -1;
    }

    /**
     * Returns how far the invalid byte that {@link #scan} last reported is from the lead byte of
     * its sequence: 0 if the byte itself cannot start a sequence, 1 if it is the first
     * continuation byte, and so on. The lead byte may lie in an earlier chunk.
     *
     * @return the distance in bytes
     */
    int distanceFromLead() {
        return fromLead;
    }

    /**
     * Tells whether the bytes checked so far end inside a multi-byte sequence.
     *
     * @return true if continuation bytes are still expected
     */
    boolean inSequence() {
        return need > 0;
    }
}
