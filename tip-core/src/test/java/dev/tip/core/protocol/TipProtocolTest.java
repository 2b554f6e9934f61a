package dev.tip.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class TipProtocolTest {

    @Test
    void theNicknameRuleIsTheOriginalClientsFewerThanTwentyCodePointsNotEmptyNoControls() {
        assertThat(TipProtocol.nicknameProblem("a".repeat(19))).isNull();
        assertThat(TipProtocol.nicknameProblem("a".repeat(20))).contains("shorter than 20");
        // code points, not UTF-16 units: 19 emoji are 38 chars and still fine
        assertThat(TipProtocol.nicknameProblem("\ud83d\ude00".repeat(19))).isNull();
        assertThat(TipProtocol.nicknameProblem("")).contains("empty");
        assertThat(TipProtocol.nicknameProblem("a\nb")).contains("control");
    }

    @Test
    void theGreetingIs1024LowercaseAAndNothingElseIsTakenForIt() {
        byte[] g = TipProtocol.greeting();
        assertThat(g).hasSize(1024).containsOnly((byte) 'a');
        ByteBuffer direct = ByteBuffer.allocateDirect(2048);
        direct.put(10, g);
        assertThat(TipProtocol.isGreeting(direct, 10, 1024)).isTrue();
        assertThat(TipProtocol.isGreeting(direct, 10, 1023)).isFalse();
        direct.put(10 + 1023, (byte) 'b');
        assertThat(TipProtocol.isGreeting(direct, 10, 1024)).isFalse();
        assertThat(TipProtocol.isGreeting(ByteBuffer.wrap(new byte[1024]), 0, 1024))
                .isFalse();
    }
}
