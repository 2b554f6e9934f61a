package dev.tip.core.voice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VoiceDatagramTest {

    private static List<Map<String, String>> vectors() throws IOException {
        String text;
        try (InputStream in = VoiceDatagramTest.class.getResourceAsStream("/vectors/voice-header.txt")) {
            assertThat(in).as("vector file").isNotNull();
            text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        List<Map<String, String>> out = new ArrayList<>();
        Map<String, String> cur = new LinkedHashMap<>();
        for (String line : text.split("\n", -1)) {
            if (line.startsWith("#")) {
                continue;
            }
            if (line.isBlank()) {
                if (!cur.isEmpty()) {
                    out.add(cur);
                    cur = new LinkedHashMap<>();
                }
                continue;
            }
            int colon = line.indexOf(':');
            cur.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
        }
        if (!cur.isEmpty()) {
            out.add(cur);
        }
        return out;
    }

    private static byte[] hex(String s) {
        String compact = s.replace(" ", "");
        byte[] b = new byte[compact.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(compact.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    private static int code(String name) {
        switch (name) {
            case "OK":
                return VoiceDatagram.OK;
            case "TOO_SHORT":
                return VoiceDatagram.TOO_SHORT;
            case "BAD_VERSION":
                return VoiceDatagram.BAD_VERSION;
            case "RESERVED_BITS_SET":
                return VoiceDatagram.RESERVED_BITS_SET;
            case "UNKNOWN_PAYLOAD_TYPE":
                return VoiceDatagram.UNKNOWN_PAYLOAD_TYPE;
            case "BAD_TOKEN_LENGTH":
                return VoiceDatagram.BAD_TOKEN_LENGTH;
            case "EMPTY_PAYLOAD":
                return VoiceDatagram.EMPTY_PAYLOAD;
            default:
                throw new IllegalArgumentException(name);
        }
    }

    /** Places the datagram at an odd offset of a bigger buffer of the given kind and byte order. */
    private static ByteBuffer placed(byte[] bytes, int offset, boolean direct, ByteOrder order) {
        ByteBuffer b = direct
                ? ByteBuffer.allocateDirect(bytes.length + offset + 5)
                : ByteBuffer.allocate(bytes.length + offset + 5);
        b.order(order);
        for (int i = 0; i < b.capacity(); i++) {
            b.put(i, (byte) 0x5A);
        }
        for (int i = 0; i < bytes.length; i++) {
            b.put(offset + i, bytes[i]);
        }
        return b;
    }

    @Test
    void decodesEveryVectorToItsFieldsAndCheckCode() throws IOException {
        List<Map<String, String>> vs = vectors();
        assertThat(vs).hasSizeGreaterThanOrEqualTo(15);
        VoiceDatagram d = new VoiceDatagram();
        for (Map<String, String> v : vs) {
            byte[] bytes = hex(v.get("bytes"));
            for (boolean direct : new boolean[] {false, true}) {
                for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
                    ByteBuffer b = placed(bytes, 3, direct, order);
                    int position = b.position();
                    d.wrap(b, 3, bytes.length);
                    String what = v.get("name") + " direct=" + direct + " " + order;
                    assertThat(d.check()).as(what).isEqualTo(code(v.get("check")));
                    if (v.get("check").equals("OK")) {
                        assertThat(d.version()).as(what).isEqualTo(Integer.parseInt(v.get("version")));
                        assertThat(d.marker()).as(what).isEqualTo(Boolean.parseBoolean(v.get("marker")));
                        assertThat(d.payloadType()).as(what).isEqualTo(Integer.parseInt(v.get("payloadType")));
                        assertThat(d.senderId()).as(what).isEqualTo(Integer.parseInt(v.get("senderId")));
                        assertThat(d.sequence()).as(what).isEqualTo(Integer.parseInt(v.get("sequence")));
                        assertThat(d.timestamp()).as(what).isEqualTo(Long.parseLong(v.get("timestamp")));
                        assertThat(d.payloadLength()).as(what).isEqualTo(Integer.parseInt(v.get("payloadLength")));
                        assertThat(d.payloadOffset()).as(what).isEqualTo(3 + VoiceDatagram.HEADER_LENGTH);
                        if (v.containsKey("token")) {
                            assertThat(d.token()).as(what).isEqualTo(Long.parseUnsignedLong(v.get("token"), 16));
                        }
                    }
                    assertThat(b.position()).as("position untouched").isEqualTo(position);
                }
            }
        }
    }

    @Test
    void encodingTheFieldsOfEveryValidVectorGivesItsExactBytes() throws IOException {
        VoiceDatagram d = new VoiceDatagram();
        for (Map<String, String> v : vectors()) {
            if (!v.get("check").equals("OK")) {
                continue;
            }
            byte[] expected = hex(v.get("bytes"));
            ByteBuffer b = ByteBuffer.allocate(expected.length + 7).order(ByteOrder.LITTLE_ENDIAN);
            d.wrap(b, 7, expected.length)
                    .writeHeader(
                            Boolean.parseBoolean(v.get("marker")),
                            Integer.parseInt(v.get("payloadType")),
                            Integer.parseInt(v.get("senderId")),
                            Integer.parseInt(v.get("sequence")),
                            Long.parseLong(v.get("timestamp")));
            if (v.containsKey("token")) {
                d.token(Long.parseUnsignedLong(v.get("token"), 16));
            } else {
                for (int i = VoiceDatagram.HEADER_LENGTH; i < expected.length; i++) {
                    b.put(7 + i, expected[i]);
                }
            }
            byte[] actual = new byte[expected.length];
            for (int i = 0; i < actual.length; i++) {
                actual[i] = b.get(7 + i);
            }
            assertThat(actual).as(v.get("name")).isEqualTo(expected);
        }
    }

    @Test
    void settersChangeOnlyTheirOwnField() {
        ByteBuffer b = ByteBuffer.allocate(14);
        VoiceDatagram d = new VoiceDatagram().wrap(b, 0, 14).writeHeader(false, PayloadType.PCM, 1, 2, 3);
        d.marker(true);
        assertThat(d.marker()).isTrue();
        assertThat(d.version()).isEqualTo(2);
        d.sequence(0x1_0005);
        assertThat(d.sequence()).isEqualTo(5);
        d.timestamp(0x1_0000_0007L);
        assertThat(d.timestamp()).isEqualTo(7);
        d.senderId(65536 + 9);
        assertThat(d.senderId()).isEqualTo(9);
        d.marker(false).payloadType(PayloadType.OPUS);
        assertThat(d.marker()).isFalse();
        assertThat(d.payloadType()).isEqualTo(PayloadType.OPUS);
        assertThat(d.sequence()).isEqualTo(5);
        assertThat(d.timestamp()).isEqualTo(7);
        d.version(1);
        assertThat(d.check()).isEqualTo(VoiceDatagram.BAD_VERSION);
        assertThat(VoiceDatagram.describe(d.check())).contains("version");
    }

    @Test
    void wrappingARangeOutsideTheBufferIsTheCallersError() {
        VoiceDatagram d = new VoiceDatagram();
        ByteBuffer b = ByteBuffer.allocate(10);
        assertThatThrownBy(() -> d.wrap(b, 5, 6)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.wrap(b, -1, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void payloadTypesHaveNames() {
        assertThat(PayloadType.name(PayloadType.HELLO_ACK)).isEqualTo("HELLO_ACK");
        assertThat(PayloadType.name(99)).isEqualTo("UNKNOWN(99)");
        assertThat(PayloadType.isAudio(PayloadType.OPUS)).isTrue();
        assertThat(PayloadType.isControl(PayloadType.PCM)).isFalse();
    }
}
