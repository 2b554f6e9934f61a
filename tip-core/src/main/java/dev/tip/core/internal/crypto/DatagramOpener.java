package dev.tip.core.internal.crypto;

import dev.tip.core.voice.VoiceDatagram;
import java.nio.ByteBuffer;

/**
 * Opens sealed TIP/2 datagrams of one direction of one session, with its {@link ReplayWindow}:
 * reads the 32-bit packet number and widens it to 64 bits against the highest one accepted (QUIC,
 * RFC 9000 appendix A.3), drops it if the window has it or it is older than the window, opens
 * it, and only then records it, so a forged datagram never moves the window. On success the
 * plaintext datagram lies where the sealed one was: the header with the sealed bit cleared and
 * the payload right after it, as a plaintext TIP/2 datagram would be. Allocates nothing itself
 * (JCE's {@code Cipher.init} does, about a kilobyte per datagram on JDK 17).
 *
 * <p>Not thread-safe: confined to the receiving thread.
 *
 * <pre>{@code
 * int n = in.open(heapBuffer, 0, received);
 * if (n > 0) { plain datagram at [0, n) } else if (n == DatagramOpener.REPLAYED) { ... }
 * }</pre>
 */
public final class DatagramOpener {

    /** What {@link #open} returns for a datagram that does not authenticate (forged, tampered, truncated). */
    public static final int FORGED = -1;
    /** What {@link #open} returns for a packet number accepted before or older than the window. */
    public static final int REPLAYED = -2;

    private static final long WINDOW = 1L << 32;

    private final PacketCipher cipher;
    private final ReplayWindow window = new ReplayWindow();

    /**
     * Creates the opening side of one direction.
     *
     * @param key the direction's 16-byte key
     * @param iv the direction's 12-byte IV
     */
    public DatagramOpener(byte[] key, byte[] iv) {
        this.cipher = new PacketCipher(key, iv);
    }

    /**
     * Opens the sealed datagram at {@code [offset, offset + length)} of a heap buffer, in place.
     *
     * @param buf a heap buffer (positions and limits are not used or changed)
     * @param offset where the datagram starts
     * @param length its length
     * @return the plaintext datagram's length ({@code length - 20}, at {@code offset}), or
     *     {@link #FORGED} or {@link #REPLAYED}
     */
    public int open(ByteBuffer buf, int offset, int length) {
        int header = VoiceDatagram.HEADER_LENGTH;
        if (!buf.hasArray()) {
            throw new IllegalArgumentException("needs a heap buffer");
        }
        if (length < header + VoiceDatagram.SEALED_OVERHEAD) {
            return FORGED;
        }
        byte[] a = buf.array();
        int at = buf.arrayOffset() + offset;
        long wire = ((a[at + header] & 0xFFL) << 24)
                | ((a[at + header + 1] & 0xFFL) << 16)
                | ((a[at + header + 2] & 0xFFL) << 8)
                | (a[at + header + 3] & 0xFFL);
        long pn = unwrap(wire, window.highest());
        if (window.check(pn) != ReplayWindow.NEW) {
            return REPLAYED;
        }
        int p = cipher.open(buf, offset, DatagramSealer.AAD_LENGTH, length, pn);
        if (p == PacketCipher.FORGED) {
            return FORGED;
        }
        window.accept(pn);
        System.arraycopy(a, at + DatagramSealer.AAD_LENGTH, a, at + header, p);
        a[at + VoiceDatagram.OFFSET_FLAGS] &= (byte) ~VoiceDatagram.SEALED_BIT;
        return header + p;
    }

    /**
     * Returns the highest packet number accepted.
     *
     * @return it, or -1 before the first
     */
    public long highest() {
        return window.highest();
    }

    /**
     * Widens a 32-bit packet number to the 64-bit one nearest to {@code highest + 1} (RFC 9000,
     * appendix A.3).
     *
     * @param truncated the low 32 bits, 0..2^32-1
     * @param highest the highest packet number accepted, or -1
     * @return the packet number
     */
    static long unwrap(long truncated, long highest) {
        long expected = highest + 1;
        long half = WINDOW / 2;
        long candidate = (expected & ~(WINDOW - 1)) | truncated;
        if (candidate <= expected - half && candidate < (1L << 62) - WINDOW) {
            return candidate + WINDOW;
        }
        if (candidate > expected + half && candidate >= WINDOW) {
            return candidate - WINDOW;
        }
        return candidate;
    }
}
