package dev.tip.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.audio.ToneSource;
import dev.tip.core.SessionListener;
import dev.tip.core.TipClient;
import dev.tip.core.VoiceTransport;
import dev.tip.core.voice.AudioFormat;
import dev.tip.integration.Tip2TestAudio.RecordingSink;
import dev.tip.server.ServerStatistics;
import dev.tip.server.StreamStatistics;
import dev.tip.server.TipServer;
import dev.tip.testing.Await;
import dev.tip.testing.Closer;
import dev.tip.testing.RawPeer;
import dev.tip.testing.netsim.PathProxy;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TIP/2 voice through the control connection (docs/protocol.md, "Voice over the control
 * connection"), end to end on loopback: a real {@link TipServer}, real {@link TipClient}s with tone
 * sources, and a {@link PathProxy} between them that drops UDP both ways.
 */
class VoiceTunnelTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @RegisterExtension
    final Closer toClose = new Closer();

    private TipServer server() {
        return toClose.add(
                TipServer.builder().port(0).bindAddress(LOOPBACK).build().start());
    }

    /** Remembers every path change a client reports. */
    private static final class Transports implements SessionListener {
        final List<VoiceTransport> changes = new CopyOnWriteArrayList<>();

        @Override
        public void voiceTransportChanged(VoiceTransport transport) {
            changes.add(transport);
        }
    }

    private TipClient client(int port, String name, double hz, RecordingSink sink, boolean encrypt, Transports t) {
        return toClose.add(TipClient.builder()
                .server("127.0.0.1", port)
                .nickname(name)
                .encryptVoice(encrypt)
                .voiceCodecs(List.of())
                .audioSource(new ToneSource(AudioFormat.ORIGINAL, hz, 6000 / 32767.0))
                .audioSink(sink)
                .listener(t)
                .build());
    }

    private static boolean heard(RecordingSink sink, double ownHz, double... hz) {
        List<short[]> heard = sink.frames();
        if (heard.size() < 100) {
            return false;
        }
        double floor = Math.max(Tip2TestAudio.power(heard, ownHz), Tip2TestAudio.power(heard, 3_607));
        for (double f : hz) {
            if (Tip2TestAudio.power(heard, f) <= 50 * floor) {
                return false;
            }
        }
        return true;
    }

    @ParameterizedTest(name = "encrypted={0}")
    @ValueSource(booleans = {true, false})
    void twoClientsBehindANetworkThatDropsUdpHearEachOtherThroughTheTunnel(boolean encrypt) throws Exception {
        TipServer server = server();
        PathProxy proxy = toClose.add(new PathProxy(server.tcpPort(), true));
        RecordingSink annHears = new RecordingSink(400);
        RecordingSink bobHears = new RecordingSink(400);
        Transports annPaths = new Transports();
        Transports bobPaths = new Transports();
        TipClient ann = client(proxy.port(), "Ann", 1013, annHears, encrypt, annPaths);
        TipClient bob = client(proxy.port(), "Bob", 1511, bobHears, encrypt, bobPaths);

        ann.connect();
        bob.connect();

        Await.until("both hear each other", () -> heard(annHears, 1013, 1511) && heard(bobHears, 1511, 1013));
        assertThat(ann.statistics().voiceTransport()).isEqualTo(VoiceTransport.TCP);
        assertThat(bob.statistics().voiceTransport()).isEqualTo(VoiceTransport.TCP);
        Await.until(
                "the listeners were told",
                () -> annPaths.changes.equals(List.of(VoiceTransport.TCP))
                        && bobPaths.changes.equals(List.of(VoiceTransport.TCP)));
        ServerStatistics s = server.statistics();
        assertThat(s.tunnelledMembers()).isEqualTo(2);
        assertThat(server.streamStatistics())
                .as("the per-stream path")
                .extracting(StreamStatistics::path)
                .containsOnly("tcp");
        assertThat(s.tunnelDatagramsIn()).isGreaterThan(100);
        assertThat(s.tunnelDatagramsOut()).isGreaterThan(100);
        assertThat(proxy.udpPassed.get()).isZero();
        assertThat(proxy.udpDropped.get()).isPositive();
    }

    @Test
    void anOriginalPeerInTheRoomNeverSeesATunnelFrameAndHearsTheTunnelledTalker() throws Exception {
        TipServer server = server();
        PathProxy proxy = toClose.add(new PathProxy(server.tcpPort(), true));
        RawPeer original = toClose.add(RawPeer.joined(server.tcpPort(), "Orig"));
        RecordingSink bobHears = new RecordingSink(10);
        TipClient ann = client(proxy.port(), "Ann", 1013, new RecordingSink(10), false, new Transports());
        TipClient bob = client(proxy.port(), "Bob", 1511, bobHears, false, new Transports());
        ann.connect();
        bob.connect();
        Await.until("both tunnel", () -> server.statistics().tunnelledMembers() == 2);
        int before = original.datagrams.get();
        Await.until(
                "the original peer hears the mix of the tunnelled talkers",
                () -> original.datagrams.get() > before + 40);
        Await.until("the original peer has the roster of three", () -> original.controlText()
                .contains("{\"KEY\": 3, \"USERS\": [\"Orig\", \"Ann\", \"Bob\"]}"));
        // byte for byte what the original server sends: no tunnel frame, no TIP/2 field
        assertThat(original.controlText())
                .doesNotContain("\u0000")
                .doesNotContain("TUNNEL")
                .doesNotContain("IDS");
        assertThat(original.controlBytes.get()).isEqualTo(original.controlText().length());
    }

    @ParameterizedTest(name = "encrypted={0}")
    @ValueSource(booleans = {true, false})
    void udpBlockedAtFirstThenAllowedEndsOnUdp(boolean encrypt) throws Exception {
        TipServer server = server();
        PathProxy proxy = toClose.add(new PathProxy(server.tcpPort(), true));
        RecordingSink annHears = new RecordingSink(2000);
        RecordingSink bobHears = new RecordingSink(2000);
        Transports annPaths = new Transports();
        Transports bobPaths = new Transports();
        TipClient ann = client(proxy.port(), "Ann", 1013, annHears, encrypt, annPaths);
        TipClient bob = client(proxy.port(), "Bob", 1511, bobHears, encrypt, bobPaths);
        ann.connect();
        bob.connect();
        Await.until("both tunnel", () -> server.statistics().tunnelledMembers() == 2);
        long heardBefore = bob.statistics().framesReceived();
        Await.until("bob hears ann through the tunnel", () -> bob.statistics().framesReceived() > heardBefore + 20);

        proxy.blockUdp(false);

        Await.until(
                "both back on UDP",
                () -> ann.statistics().voiceTransport() == VoiceTransport.UDP
                        && bob.statistics().voiceTransport() == VoiceTransport.UDP
                        && server.statistics().tunnelledMembers() == 0);
        Await.until("the per-stream path is UDP again", () -> server.streamStatistics().stream()
                .allMatch(t -> t.path().equals("udp")));
        Await.until(
                "the listeners were told",
                () -> annPaths.changes.equals(List.of(VoiceTransport.TCP, VoiceTransport.UDP))
                        && bobPaths.changes.equals(List.of(VoiceTransport.TCP, VoiceTransport.UDP)));
        long udpBefore = proxy.udpPassed.get();
        long tunnelIn = server.statistics().tunnelDatagramsIn();
        long bobHad = bob.statistics().framesReceived();
        Await.until(
                "voice flows over UDP",
                () -> bob.statistics().framesReceived() > bobHad + 40 && proxy.udpPassed.get() > udpBefore + 80);
        // nothing more came through the tunnel once both were on UDP (a frame or two in flight at most)
        assertThat(server.statistics().tunnelDatagramsIn() - tunnelIn).isLessThan(5);
        assertThat(ann.statistics().transportSwitches()).isEqualTo(2);
        Await.until("both hear each other", () -> heard(annHears, 1013, 1511) && heard(bobHears, 1511, 1013));
    }

    @Test
    void udpThatStopsMidCallMovesVoiceToTheTunnel() throws Exception {
        boolean encrypt = true;
        TipServer server = server();
        PathProxy proxy = toClose.add(new PathProxy(server.tcpPort(), false));
        RecordingSink bobHears = new RecordingSink(100);
        Transports annPaths = new Transports();
        TipClient ann = client(proxy.port(), "Ann", 1013, new RecordingSink(10), encrypt, annPaths);
        TipClient bob = client(proxy.port(), "Bob", 1511, bobHears, encrypt, new Transports());
        ann.connect();
        bob.connect();
        assertThat(ann.statistics().voiceTransport()).isEqualTo(VoiceTransport.UDP);
        long bobHad = bob.statistics().framesReceived();
        Await.until("bob hears ann over UDP", () -> bob.statistics().framesReceived() > bobHad + 20);

        proxy.blockUdp(true);

        Await.until(
                "both tunnel",
                () -> ann.statistics().voiceTransport() == VoiceTransport.TCP
                        && bob.statistics().voiceTransport() == VoiceTransport.TCP
                        && server.statistics().tunnelledMembers() == 2);
        long bobHas = bob.statistics().framesReceived();
        Await.until("bob hears ann again", () -> bob.statistics().framesReceived() > bobHas + 40);
        // the listener hears of the change on its executor, a moment after the statistics show it
        Await.until("ann's listener was told", () -> annPaths.changes.equals(List.of(VoiceTransport.TCP)));
    }
}
