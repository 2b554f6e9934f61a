package dev.tip.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.core.protocol.ControlMessage;
import dev.tip.core.protocol.TipProtocol;
import dev.tip.testing.Closer;
import java.io.IOException;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Loss feedback on a real server: LOSS_REPORT in, LOSS_PROTECT out (docs/protocol.md). */
class LossFeedbackServerTest {

    private static final String LOSS = "\"FEATURES\": [\"loss\"]";

    @RegisterExtension
    final Closer toClose = new Closer();

    private TipServer server() {
        TipServer s = TipServer.builder()
                .port(0)
                .bindAddress(InetAddress.getLoopbackAddress())
                .build()
                .start();
        toClose.add(s);
        return s;
    }

    private Tip2Peer peer(TipServer server, String name, String fields) throws IOException {
        Tip2Peer p = Tip2Peer.joined(server.tcpPort(), name, fields);
        toClose.add(p);
        return p;
    }

    private static long protection(Tip2Peer p, long value) {
        ControlMessage.Extended x = p.control.await(
                ControlMessage.Extended.class,
                m -> m.key() == TipProtocol.KEY_LOSS_PROTECT
                        && m.extensions().getLong(TipProtocol.LOSS).orElse(-1) == value);
        return x.extensions().getLong(TipProtocol.LOSS).orElseThrow();
    }

    @Test
    void eachSpeakerIsAskedToProtectAgainstTheWorstLossItsListenersReport() throws IOException {
        TipServer server = server();
        Tip2Peer ann = peer(server, "ann", LOSS);
        Tip2Peer bob = peer(server, "bob", LOSS);
        Tip2Peer cy = peer(server, "cy", LOSS);
        assertThat(ann.session.extensions().toString()).contains("loss");

        // bob loses 7%: ann and cy (whose listener bob is) protect against 7; bob's listeners lose nothing
        bob.control.write("{\"KEY\": 25, \"LOSS\": 7}");
        assertThat(protection(ann, 7)).isEqualTo(7);
        assertThat(protection(cy, 7)).isEqualTo(7);
        // cy loses 3: bob's worst listener is cy now (3), ann and cy keep bob's 7 as their worst
        cy.control.write("{\"KEY\": 25, \"LOSS\": 3}");
        assertThat(protection(bob, 3)).isEqualTo(3);
        // an out-of-range report is clamped
        cy.control.write("{\"KEY\": 25, \"LOSS\": 250}");
        assertThat(protection(ann, 100)).isEqualTo(100);
        assertThat(protection(bob, 100)).isEqualTo(100);
        // cy leaves: nobody loses more than bob's 7, and bob's listeners report nothing
        cy.close();
        assertThat(protection(ann, 7)).isEqualTo(7);
        assertThat(protection(bob, 0)).isZero();
    }

    @Test
    void aClientWithoutTheFeatureGetsNoLossMessagesAndItsReportsAreIgnored() throws IOException {
        TipServer server = server();
        Tip2Peer ann = peer(server, "ann", LOSS);
        Tip2Peer plain = peer(server, "plain", "\"FEATURES\": [\"rooms\"]");
        assertThat(plain.session.extensions().toString()).doesNotContain("loss");
        plain.control.write("{\"KEY\": 25, \"LOSS\": 9}");
        Tip2Peer bob = peer(server, "bob", LOSS);
        bob.control.write("{\"KEY\": 25, \"LOSS\": 4}");
        // ann hears of bob's 4, never of plain's 9
        assertThat(protection(ann, 4)).isEqualTo(4);
        assertThat(server.users()).hasSize(3);
    }
}
