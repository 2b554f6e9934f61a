package dev.tip.core.internal.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The TIP/2 key schedule of one session (docs/protocol.md, "Voice protection"): from the X25519
 * shared secret and both public keys, HKDF-SHA256 derives a key and an IV for each direction.
 *
 * <pre>
 * prk        = HKDF-Extract(salt = client public key || server public key, ikm = shared secret)
 * c2s key/iv = HKDF-Expand(prk, "tip2 c2s key", 16), HKDF-Expand(prk, "tip2 c2s iv", 12)
 * s2c key/iv = HKDF-Expand(prk, "tip2 s2c key", 16), HKDF-Expand(prk, "tip2 s2c iv", 12)
 * </pre>
 *
 * Binding both public keys into the salt ties the keys to this exchange. Immutable; the arrays
 * returned are copies.
 *
 * @param clientToServerKey the AES-128 key of datagrams from the client
 * @param clientToServerIv their 12-byte IV
 * @param serverToClientKey the AES-128 key of datagrams to the client
 * @param serverToClientIv their 12-byte IV
 */
public record SessionKeys(
        byte[] clientToServerKey, byte[] clientToServerIv, byte[] serverToClientKey, byte[] serverToClientIv) {

    /** Checks the lengths and keeps copies. */
    public SessionKeys {
        clientToServerKey = check(clientToServerKey, PacketCipher.KEY_LENGTH, "clientToServerKey");
        clientToServerIv = check(clientToServerIv, PacketCipher.IV_LENGTH, "clientToServerIv");
        serverToClientKey = check(serverToClientKey, PacketCipher.KEY_LENGTH, "serverToClientKey");
        serverToClientIv = check(serverToClientIv, PacketCipher.IV_LENGTH, "serverToClientIv");
    }

    /**
     * Derives a session's keys.
     *
     * @param sharedSecret the X25519 shared secret, 32 bytes
     * @param clientPublicKey the client's X25519 public key, 32 bytes
     * @param serverPublicKey the server's X25519 public key, 32 bytes
     * @return the keys of both directions
     */
    public static SessionKeys derive(byte[] sharedSecret, byte[] clientPublicKey, byte[] serverPublicKey) {
        check(sharedSecret, KeyExchange.KEY_LENGTH, "sharedSecret");
        check(clientPublicKey, KeyExchange.KEY_LENGTH, "clientPublicKey");
        check(serverPublicKey, KeyExchange.KEY_LENGTH, "serverPublicKey");
        byte[] salt = new byte[2 * KeyExchange.KEY_LENGTH];
        System.arraycopy(clientPublicKey, 0, salt, 0, KeyExchange.KEY_LENGTH);
        System.arraycopy(serverPublicKey, 0, salt, KeyExchange.KEY_LENGTH, KeyExchange.KEY_LENGTH);
        byte[] prk = Hkdf.extract(salt, sharedSecret);
        try {
            return new SessionKeys(
                    Hkdf.expand(prk, label("tip2 c2s key"), PacketCipher.KEY_LENGTH),
                    Hkdf.expand(prk, label("tip2 c2s iv"), PacketCipher.IV_LENGTH),
                    Hkdf.expand(prk, label("tip2 s2c key"), PacketCipher.KEY_LENGTH),
                    Hkdf.expand(prk, label("tip2 s2c iv"), PacketCipher.IV_LENGTH));
        } finally {
            Arrays.fill(prk, (byte) 0);
        }
    }

    @Override
    public byte[] clientToServerKey() {
        return clientToServerKey.clone();
    }

    @Override
    public byte[] clientToServerIv() {
        return clientToServerIv.clone();
    }

    @Override
    public byte[] serverToClientKey() {
        return serverToClientKey.clone();
    }

    @Override
    public byte[] serverToClientIv() {
        return serverToClientIv.clone();
    }

    /** Keys are secrets: never printed. */
    @Override
    public String toString() {
        return "SessionKeys[redacted]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionKeys k
                && Arrays.equals(clientToServerKey, k.clientToServerKey)
                && Arrays.equals(clientToServerIv, k.clientToServerIv)
                && Arrays.equals(serverToClientKey, k.serverToClientKey)
                && Arrays.equals(serverToClientIv, k.serverToClientIv);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(clientToServerKey) * 31 + Arrays.hashCode(serverToClientKey);
    }

    private static byte[] label(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] check(byte[] b, int length, String name) {
        if (b == null || b.length != length) {
            throw new IllegalArgumentException(
                    name + " must be " + length + " bytes, was " + (b == null ? "null" : b.length));
        }
        return b.clone();
    }
}
