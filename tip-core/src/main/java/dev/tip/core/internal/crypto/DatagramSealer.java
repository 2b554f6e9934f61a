package dev.tip.core.internal.crypto;

import dev.tip.core.voice.VoiceDatagram;
import java.nio.ByteBuffer;

/**
 * Seals TIP/2 datagrams for one direction of one session (docs/protocol.md, "Sealed datagram"):
 * copies a plaintext datagram's header (with the sealed bit set) and payload behind it into a
 * heap buffer, writes the next packet number after the header, and seals it with
 * {@link PacketCipher}, header and packet number as associated data. Packet numbers count from 0,
 * +1 per datagram, so no nonce repeats for the key. Allocates nothing itself; JCE's
 * {@code Cipher.init} allocates about a kilobyte per datagram on JDK 17.
 *
 * <p>Not thread-safe: one sealing thread, or the callers' own lock (the client seals voice on
 * its capture thread and HELLO/KEEPALIVE on its keepalive thread, under one lock).
 *
 * <pre>{@code
 * DatagramSealer out = new DatagramSealer(keys.clientToServerKey(), keys.clientToServerIv());
 * int n = out.seal(plain, 0, plainLength, sealedBuffer, 0);   // plainLength + 20 bytes
 * }</pre>
 */
public final class DatagramSealer {

    /** Associated data of a sealed datagram: the header and the packet number, 14 bytes. */
    public static final int AAD_LENGTH = VoiceDatagram.HEADER_LENGTH + VoiceDatagram.PACKET_NUMBER_LENGTH;

    private final PacketCipher cipher;
    private long next;

    /**
     * Creates the sealing side of one direction.
     *
     * @param key the direction's 16-byte key
     * @param iv the direction's 12-byte IV
     */
    public DatagramSealer(byte[] key, byte[] iv) {
        this.cipher = new PacketCipher(key, iv);
    }

    /**
     * Seals the plaintext TIP/2 datagram at {@code [srcOffset, srcOffset + length)} of {@code src}
     * into {@code dst} from {@code dstOffset}. Positions and limits are not used or changed.
     *
     * @param src a plaintext datagram, header included (any kind of buffer)
     * @param srcOffset where it starts
     * @param length its length, at least the header's
     * @param dst a heap buffer with {@code length + 20} bytes of room from {@code dstOffset}; not
     *     overlapping the source
     * @param dstOffset where the sealed datagram goes
     * @return the sealed datagram's length, {@code length + VoiceDatagram.SEALED_OVERHEAD}
     */
    public int seal(ByteBuffer src, int srcOffset, int length, ByteBuffer dst, int dstOffset) {
        int header = VoiceDatagram.HEADER_LENGTH;
        if (!dst.hasArray() || length < header) {
            throw new IllegalArgumentException("needs a heap buffer and a whole header");
        }
        byte[] a = dst.array();
        int at = dst.arrayOffset() + dstOffset;
        src.get(srcOffset, a, at, header);
        a[at + VoiceDatagram.OFFSET_FLAGS] |= (byte) VoiceDatagram.SEALED_BIT;
        long pn = next++;
        a[at + header] = (byte) (pn >>> 24);
        a[at + header + 1] = (byte) (pn >>> 16);
        a[at + header + 2] = (byte) (pn >>> 8);
        a[at + header + 3] = (byte) pn;
        src.get(srcOffset + header, a, at + AAD_LENGTH, length - header);
        return cipher.seal(dst, dstOffset, AAD_LENGTH, length - header, pn);
    }

    /**
     * Returns how many datagrams were sealed: the next packet number.
     *
     * @return the count
     */
    public long sealed() {
        return next;
    }
}
