package dev.tip.core.internal.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import javax.crypto.KeyAgreement;

/**
 * One side of an ephemeral X25519 key exchange (RFC 7748), with the JDK's provider: each session
 * makes a fresh key pair, sends its 32-byte public key, and computes the shared secret from the
 * peer's. The private key never leaves this object. Confined to the thread that makes the
 * session's handshake.
 *
 * <pre>{@code
 * KeyExchange mine = KeyExchange.generate();
 * send(mine.publicKey());                      // 32 bytes, little-endian u-coordinate
 * byte[] secret = mine.sharedSecret(peerKey);  // 32 bytes; then HKDF
 * }</pre>
 */
public final class KeyExchange {

    /** Length of an X25519 public key and of the shared secret: 32 bytes. */
    public static final int KEY_LENGTH = 32;

    private static final String X25519 = "X25519";

    private final PrivateKey privateKey;
    private final byte[] publicKey;

    private KeyExchange(PrivateKey privateKey, byte[] publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /**
     * Makes a fresh ephemeral key pair.
     *
     * @return one side of a new exchange
     */
    public static KeyExchange generate() {
        try {
            KeyPair pair = KeyPairGenerator.getInstance(X25519).generateKeyPair();
            return new KeyExchange(pair.getPrivate(), encode(((XECPublicKey) pair.getPublic()).getU()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is missing from this runtime", e);
        }
    }

    /**
     * Makes one side from a known private scalar: for test vectors only.
     *
     * @param scalar the 32-byte private key as RFC 7748 writes it
     * @return one side whose public key is derived from {@code scalar}
     */
    static KeyExchange fromPrivate(byte[] scalar) {
        try {
            KeyFactory kf = KeyFactory.getInstance(X25519);
            PrivateKey priv = kf.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, scalar.clone()));
            // the public key is the shared secret with the base point u = 9
            byte[] base = new byte[KEY_LENGTH];
            base[0] = 9;
            byte[] pub = agree(priv, base);
            return new KeyExchange(priv, pub);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is missing from this runtime", e);
        }
    }

    /**
     * Returns this side's public key.
     *
     * @return 32 bytes, the little-endian u-coordinate (a copy)
     */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /**
     * Computes the shared secret with the peer's public key.
     *
     * @param peerPublicKey the peer's 32 bytes
     * @return the 32-byte shared secret
     * @throws IllegalArgumentException if the key is not 32 bytes or is a low-order point that gives
     *     an all-zero secret (a peer that tries to force a known key)
     */
    public byte[] sharedSecret(byte[] peerPublicKey) {
        if (peerPublicKey.length != KEY_LENGTH) {
            throw new IllegalArgumentException(
                    "peer public key must be " + KEY_LENGTH + " bytes, was " + peerPublicKey.length);
        }
        try {
            return agree(privateKey, peerPublicKey);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an X25519 public key: " + e.getMessage(), e);
        }
    }

    private static byte[] agree(PrivateKey priv, byte[] peer) throws GeneralSecurityException {
        KeyFactory kf = KeyFactory.getInstance(X25519);
        PublicKey pub = kf.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, decode(peer)));
        KeyAgreement ka = KeyAgreement.getInstance(X25519);
        ka.init(priv);
        ka.doPhase(pub, true);
        byte[] secret = ka.generateSecret();
        byte zero = 0;
        for (byte b : secret) {
            zero |= b;
        }
        if (zero == 0) {
            // RFC 7748 section 6.1: an all-zero output means a low-order input point
            throw new IllegalArgumentException("the peer's public key is a low-order point");
        }
        return secret;
    }

    /** Little-endian 32 bytes to the u-coordinate (the top bit masked, as RFC 7748 says). */
    private static BigInteger decode(byte[] u) {
        byte[] be = new byte[KEY_LENGTH];
        for (int i = 0; i < KEY_LENGTH; i++) {
            be[i] = u[KEY_LENGTH - 1 - i];
        }
        be[0] &= 0x7f;
        return new BigInteger(1, be);
    }

    private static byte[] encode(BigInteger u) {
        byte[] be = u.toByteArray();
        byte[] le = new byte[KEY_LENGTH];
        for (int i = 0; i < Math.min(be.length, KEY_LENGTH); i++) {
            le[i] = be[be.length - 1 - i];
        }
        Arrays.fill(be, (byte) 0);
        return le;
    }
}
