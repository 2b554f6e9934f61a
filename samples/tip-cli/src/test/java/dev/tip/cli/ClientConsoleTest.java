package dev.tip.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientConsoleTest {

    @Test
    void onlyAConsoleWithARealTermGetsThePromptAndTheStatusBar() {
        assertThat(ClientConsole.isInteractive(true, Map.of("TERM", "xterm-256color")))
                .isTrue();
        assertThat(ClientConsole.isInteractive(true, Map.of("TERM", "dumb"))).isFalse();
        assertThat(ClientConsole.isInteractive(true, Map.of())).isFalse();
        assertThat(ClientConsole.isInteractive(false, Map.of("TERM", "xterm"))).isFalse();
    }

    @Test
    void plainLinesHaveNoCarriageReturnsAndTheStatusIsALineOfItsOwn() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        try (ClientConsole console = new ClientConsole.Plain(new PrintWriter(out), new PrintWriter(err))) {
            console.status("CONNECTED  users 2");
            console.println("In the room (2): ann, bob");
            console.status("");
            console.printlnErr("tip client: connection lost");
            assertThat(console.liveStatus()).isFalse();
        }
        assertThat(out.toString())
                .doesNotContain("\r")
                .isEqualTo("CONNECTED  users 2" + System.lineSeparator() + "In the room (2): ann, bob"
                        + System.lineSeparator());
        assertThat(err.toString()).isEqualTo("tip client: connection lost" + System.lineSeparator());
    }
}
