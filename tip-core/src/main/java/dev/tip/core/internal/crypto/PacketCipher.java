package dev.tip.core.internal.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AEAD protection of datagrams for one direction of one key: AES-128-GCM from the JDK, the
 * datagram's header authenticated as associated data, the payload encrypted in place, and a
 * 16-byte tag appended. The nonce is the key's 12-byte IV XOR the 64-bit packet number (as TLS 1.3
 * and QUIC form theirs), so it never repeats for a key as long as the sender never reuses a packet
 * number: {@link #seal} refuses a packet number that is not larger than the last one sealed.
 * Opening never throws for bad input: a forged, tampered or truncated datagram returns
 * {@link #FORGED}.
 *
 * <p>Confined to one thread: the sender's (sealing) or the receiver's (opening).
 *
 * <pre>{@code
 * PacketCipher out = new PacketCipher(keys.key(), keys.iv());
 * int n = out.seal(buffer, 0, HEADER, payloadLength, packetNumber);  // header, ciphertext, tag
 * int p = in.open(buffer, 0, HEADER, n, packetNumber);               // payload length or FORGED
 * }</pre>
 */
public final class PacketCipher {

    /** Length of the key: 16 bytes (AES-128). */
    public static final int KEY_LENGTH = 16;
    /** Length of the IV and nonce: 12 bytes. */
    public static final int IV_LENGTH = 12;
    /** Length of the authentication tag appended to each sealed datagram: 16 bytes. */
    public static final int TAG_LENGTH = 16;
    /** The longest datagram sealed or opened through a direct buffer: 65 507 bytes, UDP's limit. */
    public static final int MAX_DATAGRAM_BYTES = 65_507;
    /** What {@link #open} returns for a datagram that does not authenticate. */
    public static final int FORGED = -1;

    private static final String TRANSFORMATION = "AES/GCM/NoPadding";

    private final SecretKeySpec key;
    private final byte[] iv;
    private final byte[] nonce = new byte[IV_LENGTH];
    /** For direct buffers only, made at the first one (heap buffers are worked on in place). */
    private byte[] scratch;

    private final Cipher cipher;
    private long lastSealed = -1;

    /**
     * Creates the protection for one direction.
     *
     * @param key 16 bytes
     * @param iv 12 bytes
     */
    public PacketCipher(byte[] key, byte[] iv) {
        if (key.length != KEY_LENGTH) {
            throw new IllegalArgumentException("key must be " + KEY_LENGTH + " bytes, was " + key.length);
        }
        if (iv.length != IV_LENGTH) {
            throw new IllegalArgumentException("iv must be " + IV_LENGTH + " bytes, was " + iv.length);
        }
        this.key = new SecretKeySpec(key, "AES");
        this.iv = iv.clone();
        try {
            cipher = Cipher.getInstance(TRANSFORMATION);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(TRANSFORMATION + " is missing from this runtime", e);
        }
    }

    /**
     * Seals a datagram in place: {@code aadLength} bytes from {@code offset} stay clear and are
     * authenticated, the {@code plaintextLength} bytes after them are encrypted, and the tag follows.
     *
     * @param buffer the datagram; needs {@link #TAG_LENGTH} bytes of room after the plaintext
     * @param offset where the datagram starts
     * @param aadLength the clear header's length
     * @param plaintextLength the payload's length
     * @param packetNumber larger than every packet number sealed before with this key
     * @return the sealed datagram's length: {@code aadLength + plaintextLength + TAG_LENGTH}
     * @throws IllegalStateException if the packet number does not grow (a nonce would repeat)
     */
    public int seal(ByteBuffer buffer, int offset, int aadLength, int plaintextLength, long packetNumber) {
        if (packetNumber <= lastSealed) {
            throw new IllegalStateException(
                    "packet number " + packetNumber + " after " + lastSealed + ": a nonce would repeat");
        }
        int total = aadLength + plaintextLength + TAG_LENGTH;
        if (aadLength < 0 || plaintextLength < 0 || offset < 0 || buffer.capacity() - offset < total) {
            throw new IllegalArgumentException("no room for the tag after the payload");
        }
        lastSealed = packetNumber;
        byte[] a = array(buffer, offset, aadLength + plaintextLength);
        int at = arrayOffset(buffer, offset);
        try {
            init(Cipher.ENCRYPT_MODE, packetNumber);
            cipher.updateAAD(a, at, aadLength);
            int n = cipher.doFinal(a, at + aadLength, plaintextLength, a, at + aadLength);
            copyBack(buffer, offset, a, aadLength + n);
            return aadLength + n;
        } catch (GeneralSecurityException e) {
            // a fresh nonce, a valid key and room for the tag: nothing the network can cause
            throw new IllegalStateException("sealing failed: " + e.getMessage(), e);
        }
    }

    /**
     * Opens a sealed datagram in place: checks the tag over header and ciphertext, and decrypts the
     * payload where it lies. The caller checks the packet number against its replay window first and
     * records it only when this returns a length.
     *
     * @param buffer the datagram
     * @param offset where it starts
     * @param aadLength the clear header's length
     * @param sealedLength the whole datagram's length, tag included
     * @param packetNumber the packet number the datagram carries
     * @return the payload's length, or {@link #FORGED} if it does not authenticate or is too short
     */
    public int open(ByteBuffer buffer, int offset, int aadLength, int sealedLength, long packetNumber) {
        int ciphertext = sealedLength - aadLength;
        if (ciphertext < TAG_LENGTH || aadLength < 0 || offset < 0 || offset > buffer.capacity() - sealedLength) {
            return FORGED;
        }
        byte[] a = array(buffer, offset, sealedLength);
        int at = arrayOffset(buffer, offset);
        try {
            init(Cipher.DECRYPT_MODE, packetNumber);
            cipher.updateAAD(a, at, aadLength);
            int n = cipher.doFinal(a, at + aadLength, ciphertext, a, at + aadLength);
            copyBack(buffer, offset, a, aadLength + n);
            return n;
        } catch (AEADBadTagException e) {
            return FORGED;
        } catch (ShortBufferException e) {
            return FORGED;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("opening failed: " + e.getMessage(), e);
        }
    }

    /**
     * The bytes to work on: a heap buffer's own array, or (for a direct buffer) the scratch array
     * with the datagram copied in. JCE's byte-array path allocates nothing per call; its direct
     * ByteBuffer path copies through temporary arrays (measured: kilobytes per datagram).
     */
    private byte[] array(ByteBuffer buffer, int offset, int length) {
        if (buffer.hasArray()) {
            return buffer.array();
        }
        if (scratch == null) {
            scratch = new byte[MAX_DATAGRAM_BYTES];
        }
        buffer.get(offset, scratch, 0, length);
        return scratch;
    }

    private static int arrayOffset(ByteBuffer buffer, int offset) {
        return buffer.hasArray() ? buffer.arrayOffset() + offset : 0;
    }

    private void copyBack(ByteBuffer buffer, int offset, byte[] a, int length) {
        if (!buffer.hasArray()) {
            buffer.put(offset, a, 0, length);
        }
    }

    private void init(int mode, long packetNumber) throws InvalidKeyException, InvalidAlgorithmParameterException {
        System.arraycopy(iv, 0, nonce, 0, IV_LENGTH);
        for (int i = 0; i < 8; i++) {
            nonce[IV_LENGTH - 1 - i] ^= (byte) (packetNumber >>> (8 * i));
        }
        // JCE takes the nonce only as a parameter object: one small allocation per datagram
        cipher.init(mode, key, new GCMParameterSpec(TAG_LENGTH * 8, nonce));
    }
}
