package dev.tip.core.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PacketCipherTest {

    private static final int HEADER = 10;
    private static final byte[] KEY = new byte[16];
    private static final byte[] IV = new byte[12];

    static {
        for (int i = 0; i < 16; i++) {
            KEY[i] = (byte) (i * 7 + 1);
        }
        for (int i = 0; i < 12; i++) {
            IV[i] = (byte) (i * 13 + 5);
        }
    }

    private static ByteBuffer datagram(boolean direct, int payload) {
        ByteBuffer b = direct ? ByteBuffer.allocateDirect(2048) : ByteBuffer.allocate(2048);
        for (int i = 0; i < HEADER + payload; i++) {
            b.put(i, (byte) (i * 31));
        }
        return b;
    }

    private static byte[] bytes(ByteBuffer b, int length) {
        byte[] out = new byte[length];
        b.duplicate().position(0).get(out);
        return out;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aSealedDatagramOpensToItsPayloadAndHidesIt(boolean direct) {
        ByteBuffer b = datagram(direct, 100);
        byte[] clear = bytes(b, HEADER + 100);
        PacketCipher out = new PacketCipher(KEY, IV);
        int n = out.seal(b, 0, HEADER, 100, 7);
        assertThat(n).isEqualTo(HEADER + 100 + PacketCipher.TAG_LENGTH);
        byte[] sealed = bytes(b, n);
        assertThat(Arrays.copyOf(sealed, HEADER)).isEqualTo(Arrays.copyOf(clear, HEADER)); // header clear
        assertThat(Arrays.copyOfRange(sealed, HEADER, HEADER + 100))
                .isNotEqualTo(Arrays.copyOfRange(clear, HEADER, HEADER + 100));
        assertThat(new PacketCipher(KEY, IV).open(b, 0, HEADER, n, 7)).isEqualTo(100);
        assertThat(bytes(b, HEADER + 100)).isEqualTo(clear);
    }

    @Test
    void everyFlippedBitInHeaderCiphertextOrTagIsForged() {
        PacketCipher out = new PacketCipher(KEY, IV);
        ByteBuffer b = datagram(false, 20);
        int n = out.seal(b, 0, HEADER, 20, 1);
        byte[] sealed = bytes(b, n);
        PacketCipher in = new PacketCipher(KEY, IV);
        for (int i = 0; i < n; i++) {
            for (int bit = 0; bit < 8; bit++) {
                ByteBuffer t = ByteBuffer.wrap(sealed.clone());
                t.put(i, (byte) (t.get(i) ^ (1 << bit)));
                assertThat(in.open(t, 0, HEADER, n, 1))
                        .as("byte %d bit %d", i, bit)
                        .isEqualTo(PacketCipher.FORGED);
            }
        }
        assertThat(in.open(ByteBuffer.wrap(sealed.clone()), 0, HEADER, n, 1)).isEqualTo(20);
    }

    @Test
    void aTruncatedDatagramAWrongPacketNumberOrAWrongKeyIsForged() {
        PacketCipher out = new PacketCipher(KEY, IV);
        ByteBuffer b = datagram(false, 20);
        int n = out.seal(b, 0, HEADER, 20, 5);
        byte[] sealed = bytes(b, n);
        PacketCipher in = new PacketCipher(KEY, IV);
        for (int cut = 0; cut < n; cut++) {
            assertThat(in.open(ByteBuffer.wrap(sealed.clone()), 0, HEADER, cut, 5))
                    .isEqualTo(PacketCipher.FORGED);
        }
        assertThat(in.open(ByteBuffer.wrap(sealed.clone()), 0, HEADER, n, 6)).isEqualTo(PacketCipher.FORGED);
        byte[] otherKey = KEY.clone();
        otherKey[0] ^= 1;
        assertThat(new PacketCipher(otherKey, IV).open(ByteBuffer.wrap(sealed.clone()), 0, HEADER, n, 5))
                .isEqualTo(PacketCipher.FORGED);
        assertThat(in.open(ByteBuffer.wrap(sealed.clone()), 0, HEADER, n + 5, 5))
                .isEqualTo(PacketCipher.FORGED);
    }

    @Test
    void aPacketNumberThatDoesNotGrowIsRefusedSoNoNonceRepeats() {
        PacketCipher out = new PacketCipher(KEY, IV);
        out.seal(datagram(false, 8), 0, HEADER, 8, 3);
        assertThatThrownBy(() -> out.seal(datagram(false, 8), 0, HEADER, 8, 3)).hasMessageContaining("nonce");
        assertThatThrownBy(() -> out.seal(datagram(false, 8), 0, HEADER, 8, 2)).hasMessageContaining("nonce");
        out.seal(datagram(false, 8), 0, HEADER, 8, 4);
    }

    @Test
    void badKeysAndNoRoomForTheTagAreTheCallersErrors() {
        assertThatThrownBy(() -> new PacketCipher(new byte[15], IV)).hasMessageContaining("key");
        assertThatThrownBy(() -> new PacketCipher(KEY, new byte[8])).hasMessageContaining("iv");
        ByteBuffer small = ByteBuffer.allocate(HEADER + 20);
        assertThatThrownBy(() -> new PacketCipher(KEY, IV).seal(small, 0, HEADER, 20, 0))
                .hasMessageContaining("room");
    }

    @Test
    void aDatagramAtAnOffsetInALargerBufferSealsAndOpensInPlace() {
        ByteBuffer b = ByteBuffer.allocate(4096);
        for (int i = 0; i < 4096; i++) {
            b.put(i, (byte) i);
        }
        byte[] before = bytes(b, 4096);
        int n = new PacketCipher(KEY, IV).seal(b, 1000, HEADER, 50, 1);
        byte[] after = bytes(b, 4096);
        assertThat(Arrays.copyOf(after, 1000)).isEqualTo(Arrays.copyOf(before, 1000));
        assertThat(Arrays.copyOfRange(after, 1000 + n, 4096)).isEqualTo(Arrays.copyOfRange(before, 1000 + n, 4096));
        assertThat(new PacketCipher(KEY, IV).open(b, 1000, HEADER, n, 1)).isEqualTo(50);
        assertThat(bytes(b, 1000 + HEADER + 50)).isEqualTo(Arrays.copyOf(before, 1000 + HEADER + 50));
    }
}
