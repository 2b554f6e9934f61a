package dev.tip.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.core.voice.PayloadType;
import dev.tip.core.voice.VoiceDatagram;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The relay's routing rules, driven without sockets or threads. */
class RoutingTest {

    private static final int MAX = 1024;
    private static final InetSocketAddress ORIG = address(5000);
    private static final InetSocketAddress ANN = address(5001);
    private static final InetSocketAddress BOB = address(5002);
    private static final InetSocketAddress STRANGER = address(6000);

    /** One copy handed to the socket. */
    private record Sent(int to, byte[] bytes, long relayedWhenSent) {}

    private final Counters counters = new Counters();
    private final List<Sent> sent = new ArrayList<>();
    private final List<Integer> learned = new ArrayList<>();
    private final List<Member> pendingRegistrations = new ArrayList<>();
    private final ManualClock clock = new ManualClock();
    private int refuseTo = -1;
    private final MemberTable table = new MemberTable(16, new MemberTable.Bindings() {
        @Override
        public void bound(Member m) {}

        @Override
        public void unbound(Member m) {}
    });
    private final Routing routing = new Routing(table, MAX, counters, clock, new Routing.Output() {
        @Override
        public int send(Member to, ByteBuffer datagram) {
            byte[] b = new byte[datagram.remaining()];
            datagram.get(b);
            // what a recipient's snapshot would read the moment it has the copy
            sent.add(new Sent(to.id, b, counters.datagramsRelayed.get()));
            return to.id == refuseTo ? 0 : b.length;
        }

        @Override
        public void learned(Member m) {
            learned.add(m.id);
        }

        @Override
        public void catchUp() {
            pendingRegistrations.forEach(table::add);
            pendingRegistrations.clear();
        }
    });
    private final ByteBuffer buf = ByteBuffer.allocate(Routing.bufferBytes(MAX)).order(ByteOrder.LITTLE_ENDIAN);

    private long nanos;

    /** Runs the original listeners' mix until nobody talks any more. */
    private void drainMix() {
        Mixer mixer = routing.mixer();
        for (int i = 0; i < 100; i++) {
            long wait = mixer.tick(nanos);
            if (wait < 0) {
                return;
            }
            nanos += wait;
        }
        throw new AssertionError("the mix never went quiet");
    }

    private static InetSocketAddress address(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    private void receive(InetSocketAddress from, byte[] datagram) {
        buf.clear().position(Routing.HEAD);
        buf.put(datagram);
        routing.route(buf, table.byAddress(from), from, datagram.length);
    }

    private static byte[] pcm(int fill) {
        byte[] b = new byte[1024];
        Arrays.fill(b, (byte) fill);
        return b;
    }

    private static byte[] tip2Pcm(int sender, byte[] payload) {
        return tip2Pcm(sender, 3, payload);
    }

    private static byte[] tip2Pcm(int sender, int sequence, byte[] payload) {
        byte[] b = new byte[VoiceDatagram.HEADER_LENGTH + payload.length];
        new VoiceDatagram()
                .wrap(ByteBuffer.wrap(b), 0, b.length)
                .writeHeader(false, PayloadType.PCM, sender, sequence, 4096 + 512L * sequence);
        System.arraycopy(payload, 0, b, VoiceDatagram.HEADER_LENGTH, payload.length);
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

    private static VoiceDatagram wrap(byte[] b) {
        return new VoiceDatagram().wrap(ByteBuffer.wrap(b), 0, b.length);
    }

    /** An original member 0, and TIP/2 members 1 (token 11) and 2 (token 22) with proved addresses. */
    private void mixedRoom() {
        table.add(Member.original(0, ORIG));
        table.add(Member.tip2(1, 11));
        table.add(Member.tip2(2, 22));
        receive(ANN, control(PayloadType.HELLO, 1, 11));
        receive(BOB, control(PayloadType.HELLO, 2, 22));
        sent.clear();
    }

    @Test
    void everyCopyIsCountedBeforeItIsSentSoARecipientNeverHoldsAnUncountedCopy() {
        mixedRoom();
        table.add(Member.original(3, address(5003)));
        receive(ANN, tip2Pcm(1, pcm(1)));
        assertThat(sent).as("the TIP/2 copy at once").extracting(Sent::to).containsExactly(2);
        drainMix();
        assertThat(sent).as("and the original listeners' mix").hasSize(3);
        for (int i = 0; i < sent.size(); i++) {
            assertThat(sent.get(i).relayedWhenSent())
                    .as("datagramsRelayed seen by the recipient of copy %d", i)
                    .isEqualTo(i + 1);
        }
        assertThat(counters.datagramsRelayed.get()).isEqualTo(3);
        assertThat(counters.bytesRelayed.get()).isEqualTo(1034 + 1024 + 1024);
    }

    @Test
    void aCopyTheSocketRefusesIsCountedAsSendFailedNotAsRelayed() {
        mixedRoom();
        refuseTo = 2;
        receive(ORIG, pcm(5));
        drainMix();
        assertThat(sent).extracting(Sent::to).containsExactly(1, 2);
        assertThat(counters.datagramsRelayed.get()).isEqualTo(1);
        assertThat(counters.bytesRelayed.get()).isEqualTo(1034);
        assertThat(counters.droppedSendFailed.get()).isEqualTo(1);
    }

    @Test
    void originalPcmGetsTheServersHeaderForTip2RecipientsWithSequenceTimestampAndTalkSpurtMarker() {
        mixedRoom();
        table.add(Member.original(3, address(5003)));
        for (int i = 0; i < 3; i++) {
            sent.clear();
            receive(ORIG, pcm(20 + i));
            drainMix();
            assertThat(sent).extracting(Sent::to).containsExactlyInAnyOrder(1, 2, 3);
            for (Sent s : sent) {
                if (s.to() == 3) {
                    assertThat(s.bytes()).isEqualTo(pcm(20 + i));
                    continue;
                }
                VoiceDatagram d = wrap(s.bytes());
                assertThat(d.check()).isEqualTo(VoiceDatagram.OK);
                assertThat(d.senderId()).isZero();
                assertThat(d.sequence()).isEqualTo(i);
                assertThat(d.timestamp()).isEqualTo(512L * i);
                assertThat(d.marker()).isEqualTo(i == 0);
                assertThat(Arrays.copyOfRange(s.bytes(), VoiceDatagram.HEADER_LENGTH, s.bytes().length))
                        .isEqualTo(pcm(20 + i));
            }
        }
        clock.millis += Routing.TALK_SPURT_GAP_MILLIS;
        sent.clear();
        receive(ORIG, pcm(30));
        assertThat(wrap(sent.get(0).bytes()).marker()).isTrue();
    }

    @Test
    void tip2PcmGoesUnchangedToTip2RecipientsAndAsPayloadAloneToOriginalOnes() {
        mixedRoom();
        byte[] datagram = tip2Pcm(1, pcm(9));
        receive(ANN, datagram);
        drainMix();
        assertThat(sent).hasSize(2);
        for (Sent s : sent) {
            assertThat(s.bytes()).isEqualTo(s.to() == 0 ? pcm(9) : datagram);
        }
    }

    @Test
    void theOriginalGreetingIsDroppedAndCountedNeverRelayed() {
        mixedRoom();
        byte[] greeting = new byte[1024];
        Arrays.fill(greeting, (byte) 'a');
        receive(ORIG, greeting);
        receive(STRANGER, greeting);
        assertThat(sent).isEmpty();
        assertThat(counters.droppedProbe.get()).isEqualTo(2);
        assertThat(counters.datagramsReceived.get()).isEqualTo(4);
    }

    @Test
    void helloWithTheRightTokenBindsTheAddressAndIsAnsweredWithHelloAckToIt() {
        table.add(Member.tip2(1, 11));
        receive(ANN, control(PayloadType.HELLO, 1, 11));
        assertThat(table.byAddress(ANN)).isSameAs(table.byId(1));
        assertThat(learned).containsExactly(1);
        assertThat(sent).hasSize(1);
        VoiceDatagram ack = wrap(sent.get(0).bytes());
        assertThat(ack.payloadType()).isEqualTo(PayloadType.HELLO_ACK);
        assertThat(ack.token()).isEqualTo(11);
        assertThat(counters.helloAcksSent.get()).isEqualTo(1);
        assertThat(counters.voiceAddressesLearned.get()).isEqualTo(1);

        // a KEEPALIVE from the same address changes nothing; from a new one it moves the binding
        receive(ANN, control(PayloadType.KEEPALIVE, 1, 11));
        receive(STRANGER, control(PayloadType.KEEPALIVE, 1, 11));
        assertThat(table.byId(1).address).isEqualTo(STRANGER);
        assertThat(table.byAddress(ANN)).isNull();
        assertThat(learned).containsExactly(1, 1);
        assertThat(sent).hasSize(1);
    }

    @Test
    void aHelloThatOvertakesItsRegistrationIsRoutedAfterCatchingUp() {
        pendingRegistrations.add(Member.tip2(4, 44));
        receive(ANN, control(PayloadType.HELLO, 4, 44));
        assertThat(table.byId(4).address).isEqualTo(ANN);
        assertThat(counters.helloAcksSent.get()).isEqualTo(1);
    }

    @Test
    void wrongTokenWrongSessionWrongAddressAndMalformedAreCountedAndNeverSent() {
        mixedRoom();
        receive(ANN, control(PayloadType.HELLO, 1, 12));
        receive(STRANGER, control(PayloadType.KEEPALIVE, 1, ~11L));
        assertThat(counters.droppedBadToken.get()).isEqualTo(2);
        receive(STRANGER, control(PayloadType.HELLO, 9, 11));
        receive(STRANGER, control(PayloadType.HELLO, 0, 11));
        receive(ANN, tip2Pcm(2, pcm(1)));
        assertThat(counters.droppedWrongSession.get()).isEqualTo(3);
        receive(STRANGER, tip2Pcm(1, pcm(1)));
        assertThat(counters.droppedWrongAddress.get()).isEqualTo(1);
        receive(ANN, control(PayloadType.HELLO_ACK, 1, 11));
        receive(ANN, new byte[] {1, 2, 3});
        assertThat(counters.droppedMalformed.get()).isEqualTo(2);
        receive(STRANGER, new byte[] {1, 2, 3});
        assertThat(counters.droppedUnknownSender.get()).isEqualTo(1);
        receive(ORIG, new byte[MAX + 1]);
        receive(ANN, new byte[MAX + VoiceDatagram.HEADER_LENGTH + 1]);
        assertThat(counters.droppedTooLong.get()).isEqualTo(2);
        assertThat(sent).isEmpty();
        assertThat(counters.datagramsRelayed.get()).isZero();
        assertThat(table.byId(1).address).isEqualTo(ANN);
    }

    /** A clock that moves only when told. */
    private static final class ManualClock extends Clock {
        long millis = 1_000_000;

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    @Test
    void aMembersDatagramsBeyondItsBudgetAreDroppedAndCountedNotRelayed() {
        Routing limited = new Routing(table, MAX, 10, counters, clock, new Routing.Output() {
            @Override
            public int send(Member to, ByteBuffer datagram) {
                sent.add(new Sent(to.id, new byte[0], 0));
                return datagram.remaining();
            }

            @Override
            public void learned(Member m) {}

            @Override
            public void catchUp() {}
        });
        table.add(Member.original(0, ORIG));
        Member tip2 = Member.tip2(1, 11);
        table.add(tip2);
        table.bind(tip2, ANN);
        for (int i = 0; i < 100; i++) {
            buf.clear().position(Routing.HEAD);
            buf.put(pcm(1));
            limited.route(buf, table.byAddress(ORIG), ORIG, 1024);
        }
        assertThat(sent).hasSize(10);
        assertThat(counters.droppedRateLimited.get()).isEqualTo(90);
        clock.millis += 500;
        for (int i = 0; i < 100; i++) {
            buf.clear().position(Routing.HEAD);
            buf.put(pcm(1));
            limited.route(buf, table.byAddress(ORIG), ORIG, 1024);
        }
        assertThat(sent).as("half a second later: five more").hasSize(15);
    }

    @Test
    void twoSpeakersAtOnceReachAnOriginalListenerAsOneFrameWithBothAndATalkingOriginalHearsOnlyTheOther() {
        mixedRoom();
        table.add(Member.original(3, address(5003)));
        for (int i = 0; i < 3; i++) {
            receive(ANN, tip2Pcm(1, i, pcm(1)));
            receive(ORIG, pcm(2));
        }
        assertThat(sent)
                .as("TIP/2 listeners get each speaker's own stream at once")
                .extracting(Sent::to)
                .containsOnly(1, 2)
                .hasSize(3 + 6);
        sent.clear();
        drainMix();
        // 257 + 514 per sample: the bytes of pcm(3)
        assertThat(sent.stream().filter(s -> s.to() == 3))
                .as("the listener who is silent: both voices, one frame per tick")
                .hasSize(3)
                .allMatch(s -> Arrays.equals(s.bytes(), pcm(3)));
        assertThat(sent.stream().filter(s -> s.to() == 0))
                .as("the original speaker: only the other voice")
                .hasSize(3)
                .allMatch(s -> Arrays.equals(s.bytes(), pcm(1)));
        assertThat(sent).extracting(Sent::to).containsOnly(0, 3);
        assertThat(counters.mixedFramesSent.get()).isEqualTo(6);
        assertThat(counters.mixFramesDroppedLate.get() + counters.mixFramesDroppedOverflow.get())
                .isZero();
    }

    @Test
    void aRoomOfOnlyTip2PeersStaysAPureForwarderAndNeverMixes() {
        table.add(Member.tip2(1, 11));
        table.add(Member.tip2(2, 22));
        receive(ANN, control(PayloadType.HELLO, 1, 11));
        receive(BOB, control(PayloadType.HELLO, 2, 22));
        sent.clear();
        byte[] datagram = tip2Pcm(1, pcm(9));
        receive(ANN, datagram);
        assertThat(sent).extracting(Sent::to).containsExactly(2);
        assertThat(sent.get(0).bytes()).isEqualTo(datagram);
        assertThat(routing.mixer().tick(0)).as("no tick asked for").isNegative();
        assertThat(table.byId(1).frames).as("nothing queued for a mix").isNull();
    }

    @Test
    void pcmThatIsNotOneWholeFrameStillReachesOriginalListenersAsACopy() {
        table.add(Member.original(0, ORIG));
        table.add(Member.original(1, ANN));
        byte[] shortFrame = Arrays.copyOf(pcm(4), 100);
        receive(ORIG, shortFrame);
        assertThat(sent).extracting(Sent::to).containsExactly(1);
        assertThat(sent.get(0).bytes()).isEqualTo(shortFrame);
        assertThat(routing.mixer().tick(0)).isNegative();
    }
}
