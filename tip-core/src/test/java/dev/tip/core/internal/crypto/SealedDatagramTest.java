package dev.tip.core.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.core.voice.PayloadType;
import dev.tip.core.voice.VoiceDatagram;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Sealing and opening whole TIP/2 datagrams: the format, replays, tampering, truncation. */
class SealedDatagramTest {

    private static final byte[] KEY = new byte[16];
    private static final byte[] IV = new byte[12];

    static {
        Arrays.fill(KEY, (byte) 7);
        Arrays.fill(IV, (byte) 9);
    }

    private final DatagramSealer sealer = new DatagramSealer(KEY, IV);
    private final DatagramOpener opener = new DatagramOpener(KEY, IV);

    private static ByteBuffer plain(int type, int payload) {
        ByteBuffer b = ByteBuffer.allocateDirect(VoiceDatagram.HEADER_LENGTH + payload);
        new VoiceDatagram().wrap(b, 0, b.capacity()).writeHeader(true, type, 3, 77, 123456);
        for (int i = 0; i < payload; i++) {
            b.put(VoiceDatagram.HEADER_LENGTH + i, (byte) i);
        }
        return b;
    }

    private byte[] seal(ByteBuffer plain) {
        ByteBuffer out = ByteBuffer.allocate(plain.capacity() + VoiceDatagram.SEALED_OVERHEAD);
        int n = sealer.seal(plain, 0, plain.capacity(), out, 0);
        assertThat(n).isEqualTo(out.capacity());
        return out.array();
    }

    private int open(byte[] sealed) {
        return opener.open(ByteBuffer.wrap(sealed.clone()), 0, sealed.length);
    }

    @Test
    void aSealedDatagramHasTheHeaderWithTheSealedBitThePacketNumberAndOpensToThePlaintextForm() {
        ByteBuffer p = plain(PayloadType.PCM, 1024);
        byte[] s = seal(p);
        assertThat(s).hasSize(1054);
        VoiceDatagram d = new VoiceDatagram().wrap(ByteBuffer.wrap(s), 0, s.length);
        assertThat(d.check()).isEqualTo(VoiceDatagram.OK);
        assertThat(d.sealed()).isTrue();
        assertThat(d.senderId()).isEqualTo(3);
        assertThat(d.sequence()).isEqualTo(77);
        assertThat(Arrays.copyOfRange(s, 10, 14)).containsExactly(0, 0, 0, 0);
        // the payload is not in clear
        assertThat(s[14 + 100]).isNotEqualTo((byte) 100);
        ByteBuffer in = ByteBuffer.wrap(s.clone());
        int n = opener.open(in, 0, s.length);
        assertThat(n).isEqualTo(1034);
        byte[] expected = new byte[1034];
        p.get(0, expected);
        assertThat(Arrays.copyOf(in.array(), n)).containsExactly(expected);
        assertThat(seal(p)[13]).isEqualTo((byte) 1);
    }

    @Test
    void aHelloIsThirtyBytesAndItsAnswerNoLonger() {
        assertThat(seal(plain(PayloadType.HELLO, 0))).hasSize(30);
        VoiceDatagram d = new VoiceDatagram().wrap(ByteBuffer.wrap(seal(plain(PayloadType.KEEPALIVE, 0))), 0, 30);
        assertThat(d.check()).isEqualTo(VoiceDatagram.OK);
        assertThat(new VoiceDatagram()
                        .wrap(ByteBuffer.wrap(Arrays.copyOf(seal(plain(PayloadType.HELLO, 0)), 29)), 0, 29)
                        .check())
                .isEqualTo(VoiceDatagram.BAD_SEALED_LENGTH);
    }

    @Test
    void aReplayIsRefusedBeforeOpeningAndReorderedDatagramsAreTaken() {
        byte[] a = seal(plain(PayloadType.PCM, 10));
        byte[] b = seal(plain(PayloadType.PCM, 10));
        byte[] c = seal(plain(PayloadType.PCM, 10));
        assertThat(open(c)).isPositive();
        assertThat(open(a)).isPositive();
        assertThat(open(a)).isEqualTo(DatagramOpener.REPLAYED);
        assertThat(open(c)).isEqualTo(DatagramOpener.REPLAYED);
        assertThat(open(b)).isPositive();
        assertThat(opener.highest()).isEqualTo(2);
    }

    @Test
    void everyFlippedByteAndEveryTruncationIsForgedAndMovesNothing() {
        byte[] s = seal(plain(PayloadType.PCM, 40));
        for (int i = 0; i < s.length; i++) {
            byte[] t = s.clone();
            t[i] ^= 0x01;
            assertThat(open(t)).as("byte %d flipped", i).isNegative();
        }
        for (int len = 0; len < s.length; len++) {
            assertThat(opener.open(ByteBuffer.wrap(s.clone()), 0, len))
                    .as("cut to %d", len)
                    .isNegative();
        }
        assertThat(opener.highest()).isEqualTo(-1);
        assertThat(open(s)).isEqualTo(50);
        DatagramOpener other = new DatagramOpener(new byte[16], IV);
        assertThat(other.open(ByteBuffer.wrap(seal(plain(PayloadType.PCM, 40))), 0, 70))
                .isEqualTo(DatagramOpener.FORGED);
    }

    @Test
    void thirtyTwoBitPacketNumbersUnwrapAgainstTheHighestAccepted() {
        assertThat(DatagramOpener.unwrap(0, -1)).isZero();
        assertThat(DatagramOpener.unwrap(5, 3)).isEqualTo(5);
        assertThat(DatagramOpener.unwrap(2, 0xFFFF_FFFEL)).isEqualTo(0x1_0000_0002L);
        assertThat(DatagramOpener.unwrap(0xFFFF_FFF0L, 0x1_0000_0002L)).isEqualTo(0xFFFF_FFF0L);
        assertThat(DatagramOpener.unwrap(0xFFFF_FFFFL, -1)).isEqualTo(0xFFFF_FFFFL);
    }

    @Test
    void keySharesAreBase64UrlOfThirtyTwoBytes() {
        byte[] key = KeyExchange.generate().publicKey();
        assertThat(KeyShare.decode(KeyShare.encode(key))).containsExactly(key);
        assertThat(KeyShare.encode(new byte[32])).hasSize(43);
        for (String bad : new String[] {"", "x".repeat(42), "*".repeat(43), "AAAA".repeat(11)}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> KeyShare.decode(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("KEY_SHARE");
        }
    }
}
