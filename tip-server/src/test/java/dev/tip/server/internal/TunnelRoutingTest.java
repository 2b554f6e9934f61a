package dev.tip.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.core.protocol.TunnelFramer;
import dev.tip.core.protocol.TunnelQueue;
import dev.tip.core.voice.PayloadType;
import dev.tip.core.voice.VoiceDatagram;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The voice tunnel's routing rules (docs/protocol.md, "Voice over the control connection"),
 * driven without sockets or threads: {@link Routing} through {@link Tunnels}.
 */
class TunnelRoutingTest {

    private static final int MAX = 1024;
    private static final InetSocketAddress ANN = new InetSocketAddress("127.0.0.1", 5001);
    private static final InetSocketAddress BOB = new InetSocketAddress("127.0.0.1", 5002);

    private final Counters counters = new Counters();
    /** Copies that went to the UDP side, by recipient id. */
    private final List<Integer> udp = new ArrayList<>();

    private final MemberTable table = new MemberTable(16, new MemberTable.Bindings() {
        @Override
        public void bound(Member m) {}

        @Override
        public void unbound(Member m) {}
    });
    private final Tunnels tunnels = new Tunnels(
            new Routing.Output() {
                @Override
                public int send(Member to, ByteBuffer datagram) {
                    udp.add(to.id);
                    return datagram.remaining();
                }

                @Override
                public void learned(Member m) {}

                @Override
                public void catchUp() {}
            },
            counters,
            MAX,
            16,
            () -> {});
    private final Routing routing =
            new Routing(table, MAX, counters, Clock.fixed(Instant.ofEpochSecond(1000), ZoneOffset.UTC), tunnels);
    private final ByteBuffer buf = ByteBuffer.allocate(Routing.bufferBytes(MAX)).order(ByteOrder.LITTLE_ENDIAN);

    private Member tip2(int id, long token, InetSocketAddress at, boolean tunnel) {
        Member m = Member.tip2(id, token);
        m.tunnel = tunnel ? tunnels.newMemberQueue() : null;
        table.add(m);
        if (at != null) {
            table.bind(m, at);
        }
        return m;
    }

    private static byte[] voice(int sender, int sequence) {
        byte[] b = new byte[VoiceDatagram.HEADER_LENGTH + 1024];
        new VoiceDatagram()
                .wrap(ByteBuffer.wrap(b), 0, b.length)
                .writeHeader(false, PayloadType.PCM, sender, sequence, 512L * sequence);
        Arrays.fill(b, VoiceDatagram.HEADER_LENGTH, b.length, (byte) sequence);
        return b;
    }

    private static byte[] control(int type, int sender, long token) {
        byte[] b = new byte[VoiceDatagram.HEADER_LENGTH + PayloadType.TOKEN_LENGTH];
        new VoiceDatagram()
                .wrap(ByteBuffer.wrap(b), 0, b.length)
                .writeHeader(false, type, sender, 7, 1234)
                .token(token);
        return b;
    }

    private void overUdp(InetSocketAddress from, byte[] d) {
        buf.clear().position(Routing.HEAD);
        buf.put(d);
        routing.route(buf, table.byAddress(from), from, d.length);
    }

    private void throughTunnel(Member m, byte[] d) {
        assertThat(tunnels.offerInbound(m.id, m.token, d, 0, d.length)).isTrue();
        tunnels.drain(table, routing, buf);
    }

    private static List<Integer> sequences(TunnelQueue q) {
        List<Integer> out = new ArrayList<>();
        ByteBuffer frame = q.newFrameBuffer();
        while (q.takeInto(frame)) {
            assertThat(frame.get(0)).isEqualTo(TunnelFramer.MARKER);
            out.add(new VoiceDatagram()
                    .wrap(frame, TunnelFramer.HEADER_BYTES, frame.remaining() - TunnelFramer.HEADER_BYTES)
                    .sequence());
        }
        return out;
    }

    @Test
    void aMemberWithoutAVoiceAddressIsHeardAndServedThroughItsTunnel() {
        Member ann = tip2(1, 11, null, true);
        Member bob = tip2(2, 22, BOB, false);
        throughTunnel(ann, control(PayloadType.KEEPALIVE, 1, 11));
        assertThat(ann.viaTunnel).isTrue();
        assertThat(counters.tunnelledMembers.get()).isEqualTo(1);

        throughTunnel(ann, voice(1, 5));
        assertThat(udp).containsExactly(2);
        overUdp(BOB, voice(2, 9));
        assertThat(sequences(ann.tunnel)).containsExactly(9);
        assertThat(counters.tunnelDatagramsOut.get()).isEqualTo(1);
        assertThat(bob.viaTunnel).isFalse();
    }

    @Test
    void thePathFollowsTheLastVoiceOrKeepaliveAndHelloAckAlwaysGoesOverUdp() {
        Member ann = tip2(1, 11, null, true);
        tip2(2, 22, BOB, false);
        throughTunnel(ann, voice(1, 1));
        assertThat(ann.viaTunnel).isTrue();
        // the UDP probe: binds the address and is answered over UDP, the path stays the tunnel
        overUdp(ANN, control(PayloadType.HELLO, 1, 11));
        assertThat(udp).containsExactly(2, 1);
        assertThat(ann.viaTunnel).isTrue();
        // a KEEPALIVE over UDP moves the path back; what waited for the tunnel is dropped
        overUdp(BOB, voice(2, 3));
        assertThat(ann.tunnel.size()).isEqualTo(1);
        overUdp(ANN, control(PayloadType.KEEPALIVE, 1, 11));
        assertThat(ann.viaTunnel).isFalse();
        assertThat(ann.tunnel.isEmpty()).isTrue();
        assertThat(counters.tunnelledMembers.get()).isZero();
        udp.clear();
        overUdp(BOB, voice(2, 4));
        assertThat(udp).containsExactly(1);
    }

    @Test
    void helloInATunnelFrameMeansNothingAndAnotherMembersIdIsRefused() {
        Member ann = tip2(1, 11, null, true);
        tip2(2, 22, BOB, false);
        throughTunnel(ann, control(PayloadType.HELLO, 1, 11));
        assertThat(counters.droppedMalformed.get()).isEqualTo(1);
        assertThat(ann.address).isNull();
        assertThat(udp).isEmpty();
        throughTunnel(ann, voice(2, 1));
        assertThat(counters.droppedWrongSession.get()).isEqualTo(1);
        assertThat(udp).isEmpty();
        // a datagram of an earlier member of the id (another token) is dropped
        assertThat(tunnels.offerInbound(1, 99, voice(1, 2), 0, 1034)).isTrue();
        tunnels.drain(table, routing, buf);
        assertThat(counters.droppedWrongSession.get()).isEqualTo(2);
        assertThat(udp).isEmpty();
    }

    @Test
    void aSlowTunnelDropsItsOldestCopiesAndCountsThem() {
        Member ann = tip2(1, 11, null, true);
        tip2(2, 22, BOB, false);
        throughTunnel(ann, control(PayloadType.KEEPALIVE, 1, 11));
        int n = Tunnels.MEMBER_SLOTS + 5;
        for (int s = 0; s < n; s++) {
            overUdp(BOB, voice(2, s));
        }
        assertThat(counters.tunnelDroppedOverflow.get()).isEqualTo(5);
        List<Integer> left = sequences(ann.tunnel);
        assertThat(left).hasSize(Tunnels.MEMBER_SLOTS);
        assertThat(left.get(0)).isEqualTo(5);
        assertThat(left.get(left.size() - 1)).isEqualTo(n - 1);
    }

    @Test
    void theReadyListNamesEachMemberOncePerEmptyQueue() {
        Member ann = tip2(1, 11, null, true);
        tip2(2, 22, BOB, false);
        throughTunnel(ann, control(PayloadType.KEEPALIVE, 1, 11));
        overUdp(BOB, voice(2, 1));
        overUdp(BOB, voice(2, 2));
        assertThat(tunnels.pollReady()).isEqualTo(1);
        assertThat(tunnels.pollReady()).isEqualTo(-1);
        sequences(ann.tunnel);
        overUdp(BOB, voice(2, 3));
        assertThat(tunnels.pollReady()).isEqualTo(1);
    }
}
