package dev.tip.core.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Published test vectors for HKDF (RFC 5869) and X25519 (RFC 7748), and TIP/2's key schedule. */
class CryptoVectorsTest {

    private static final HexFormat HEX = HexFormat.of();

    private static byte[] hex(String s) {
        return HEX.parseHex(s);
    }

    @Test
    void hkdfMatchesRfc5869TestCase1() {
        byte[] prk =
                Hkdf.extract(hex("000102030405060708090a0b0c"), hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"));
        assertThat(HEX.formatHex(prk)).isEqualTo("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
        byte[] okm = Hkdf.expand(prk, hex("f0f1f2f3f4f5f6f7f8f9"), 42);
        assertThat(HEX.formatHex(okm))
                .isEqualTo("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
    }

    @Test
    void hkdfMatchesRfc5869TestCase3WithAnEmptySaltAndInfo() {
        byte[] prk = Hkdf.extract(new byte[0], hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"));
        assertThat(HEX.formatHex(prk)).isEqualTo("19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04");
        assertThat(HEX.formatHex(Hkdf.expand(prk, new byte[0], 42)))
                .isEqualTo("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
    }

    @Test
    void hkdfRefusesLengthsOutsideTheRfc() {
        byte[] prk = new byte[32];
        assertThatThrownBy(() -> Hkdf.expand(prk, new byte[0], 255 * 32 + 1)).hasMessageContaining("length");
        assertThatThrownBy(() -> Hkdf.expand(new byte[16], new byte[0], 16)).hasMessageContaining("prk");
    }

    @Test
    void x25519MatchesRfc7748Section61() {
        KeyExchange alice =
                KeyExchange.fromPrivate(hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
        KeyExchange bob =
                KeyExchange.fromPrivate(hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
        assertThat(HEX.formatHex(alice.publicKey()))
                .isEqualTo("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        assertThat(HEX.formatHex(bob.publicKey()))
                .isEqualTo("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        String shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
        assertThat(HEX.formatHex(alice.sharedSecret(bob.publicKey()))).isEqualTo(shared);
        assertThat(HEX.formatHex(bob.sharedSecret(alice.publicKey()))).isEqualTo(shared);
    }

    @Test
    void freshKeyPairsAgreeAndDiffer() {
        KeyExchange a = KeyExchange.generate();
        KeyExchange b = KeyExchange.generate();
        assertThat(a.publicKey()).hasSize(32).isNotEqualTo(b.publicKey());
        assertThat(a.sharedSecret(b.publicKey())).isEqualTo(b.sharedSecret(a.publicKey()));
    }

    @Test
    void aLowOrderOrMisSizedPeerKeyIsRefused() {
        KeyExchange a = KeyExchange.generate();
        // u = 0 and u = 1 are low-order points: the shared secret would be all zeros
        assertThatThrownBy(() -> a.sharedSecret(new byte[32])).isInstanceOf(IllegalArgumentException.class);
        byte[] one = new byte[32];
        one[0] = 1;
        assertThatThrownBy(() -> a.sharedSecret(one)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> a.sharedSecret(new byte[31])).hasMessageContaining("32 bytes");
    }

    /** Expected values computed independently with Python's hmac module from the RFC 7748 keys. */
    @Test
    void theTip2KeyScheduleMatchesItsVector() {
        SessionKeys k = SessionKeys.derive(
                hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"),
                hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"),
                hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"));
        assertThat(HEX.formatHex(k.clientToServerKey())).isEqualTo("4302afde0a2850052249150c07f90ac8");
        assertThat(HEX.formatHex(k.clientToServerIv())).isEqualTo("8eb038fbee2480b520665300");
        assertThat(HEX.formatHex(k.serverToClientKey())).isEqualTo("fe7d601e847a01e6e5de3ec1f20e803c");
        assertThat(HEX.formatHex(k.serverToClientIv())).isEqualTo("85c822c1bb62808c945e97b2");
        assertThat(k.toString()).doesNotContain("4302").contains("redacted");
        assertThat("tip2 c2s key".getBytes(StandardCharsets.US_ASCII)).hasSize(12);
    }
}
