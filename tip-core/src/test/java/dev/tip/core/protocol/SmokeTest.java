package dev.tip.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void encodesAndDecodesAFewMessages() {
        ControlEncoder enc = new ControlEncoder();
        String a = new String(enc.encode(new ControlMessage.SendNickname("Jo\u00e9 a}{b \"q\" \\ \n \u007f \ud83d\ude00")), StandardCharsets.ISO_8859_1);
        String b = new String(enc.encode(new ControlMessage.SendNewUsers(List.of("Adam", "Julie"))), StandardCharsets.ISO_8859_1);
        String c = new String(enc.encode(new ControlMessage.Disconnect(null)), StandardCharsets.ISO_8859_1);
        System.out.println(a + "\n" + b + "\n" + c);
        assertThat(b).isEqualTo("{\"KEY\": 3, \"USERS\": [\"Adam\", \"Julie\"]}");
        assertThat(c).isEqualTo("{\"KEY\": 4, \"REASON\": null}");
        assertThat(a).isEqualTo("{\"KEY\": 2, \"NAME\": \"Jo\\u00e9 a\\u007d\\u007bb \\\"q\\\" \\\\ \\n \\u007f \\ud83d\\ude00\"}");
        ControlDecoder dec = new ControlDecoder();
        byte[] all = (a + b + c + "{\"KEY\": 7, \"PORT\": 5253}{\"SESSION\": 3, \"KEY\": 6, \"X\": [1, {\"y\": null}]}").getBytes(StandardCharsets.ISO_8859_1);
        List<ControlMessage> out = new ArrayList<>();
        for (byte x : all) {
            dec.feed(new byte[] {x}, 0, 1);
            ControlMessage m;
            while ((m = dec.next()) != null) {
                out.add(m);
            }
        }
        System.out.println(out);
        assertThat(out).hasSize(5);
    }
}
