package dev.tip.core.internal.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF with HMAC-SHA256 (RFC 5869): {@link #extract} turns input keying material into a
 * pseudorandom key, {@link #expand} derives labelled keys from it. Java 17 has HMAC but no HKDF
 * API (it arrives in JDK 24), so the two steps are written here over {@link Mac}, as the RFC
 * defines them. Stateless; thread-safe.
 */
public final class Hkdf {

    /** Length of a pseudorandom key and of one HMAC-SHA256 block: 32 bytes. */
    public static final int HASH_LENGTH = 32;

    private static final String HMAC = "HmacSHA256";

    private Hkdf() {}

    /**
     * HKDF-Extract: {@code PRK = HMAC-SHA256(salt, ikm)}.
     *
     * @param salt a non-secret random value; empty means a string of zeros, as in the RFC
     * @param ikm the input keying material (a Diffie-Hellman shared secret)
     * @return the 32-byte pseudorandom key
     */
    public static byte[] extract(byte[] salt, byte[] ikm) {
        byte[] key = salt.length == 0 ? new byte[HASH_LENGTH] : salt;
        Mac mac = mac(key);
        return mac.doFinal(ikm);
    }

    /**
     * HKDF-Expand: derives {@code length} bytes from a pseudorandom key and a context label.
     *
     * @param prk a pseudorandom key from {@link #extract}, at least 32 bytes
     * @param info the context: what the key is for, and whose
     * @param length how many bytes, at most 255 * 32
     * @return the derived bytes
     */
    public static byte[] expand(byte[] prk, byte[] info, int length) {
        if (prk.length < HASH_LENGTH) {
            throw new IllegalArgumentException("prk must be at least " + HASH_LENGTH + " bytes, was " + prk.length);
        }
        if (length < 1 || length > 255 * HASH_LENGTH) {
            throw new IllegalArgumentException("length must be 1.." + 255 * HASH_LENGTH + ", was " + length);
        }
        Mac mac = mac(prk);
        byte[] out = new byte[length];
        byte[] t = new byte[0];
        int done = 0;
        for (int i = 1; done < length; i++) {
            mac.update(t);
            mac.update(info);
            mac.update((byte) i);
            t = mac.doFinal();
            int n = Math.min(t.length, length - done);
            System.arraycopy(t, 0, out, done, n);
            done += n;
        }
        Arrays.fill(t, (byte) 0);
        return out;
    }

    private static Mac mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            return mac;
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("not an HMAC key: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            // every Java SE runtime has HmacSHA256
            throw new IllegalStateException("HmacSHA256 is missing from this runtime", e);
        }
    }
}
