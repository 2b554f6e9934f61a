package dev.tip.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.core.internal.crypto.DatagramOpener;
import dev.tip.core.internal.crypto.DatagramSealer;
import dev.tip.core.internal.crypto.KeyExchange;
import dev.tip.core.internal.crypto.SessionKeys;
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

/**
 * The relay's rules for encrypting members (docs/protocol.md, "Voice protection"), driven without
 * sockets or threads: sealed HELLO and KEEPALIVE prove an address, replays and forgeries move
 * nothing and are counted, voice is opened once and sealed per recipient.
 */
class SealedRoutingTest {

    private static final int MAX = 1024;
    private static final InetSocketAddress ANN = address(5001);
    private static final InetSocketAddress BOB = address(5002);
    private static final InetSocketAddress CY = address(5003);
    private static final InetSocketAddress STRANGER = address(6000);

    private record Sent(int to, byte[] bytes) {}

    /** The client's end of one encrypting member: its c2s sealer and s2c opener. */
    private static final class Peer {
        final int id;
        final DatagramSealer out;
        final DatagramOpener in;
        final Member member;

        Peer(int id) {
            this.id = id;
            KeyExchange c = KeyExchange.generate();
            KeyExchange s = KeyExchange.generate();
            SessionKeys k = SessionKeys.derive(c.sharedSecret(s.publicKey()), c.publicKey(), s.publicKey());
            out = new DatagramSealer(k.clientToServerKey(), k.clientToServerIv());
            in = new DatagramOpener(k.serverToClientKey(), k.serverToClientIv());
            member = Member.tip2(id, 1000 + id);
            member.opener = new DatagramOpener(k.clientToServerKey(), k.clientToServerIv());
            member.sealer = new DatagramSealer(k.serverToClientKey(), k.serverToClientIv());
        }

        byte[] seal(byte[] plain) {
            ByteBuffer b = ByteBuffer.allocate(plain.length + VoiceDatagram.SEALED_OVERHEAD);
            int n = out.seal(ByteBuffer.wrap(plain), 0, plain.length, b, 0);
            return Arrays.copyOf(b.array(), n);
        }

        byte[] control(int type) {
            byte[] b = new byte[VoiceDatagram.HEADER_LENGTH];
            new VoiceDatagram().wrap(ByteBuffer.wrap(b), 0, b.length).writeHeader(false, type, id, 0, 0);
            return seal(b);
        }

        /** Opens a copy the server sent: the plaintext form, or null if it does not open. */
        byte[] open(byte[] sealed) {
            ByteBuffer b = ByteBuffer.wrap(sealed.clone());
            int n = in.open(b, 0, sealed.length);
            return n < 0 ? null : Arrays.copyOf(b.array(), n);
        }
    }

    private final Counters counters = new Counters();
    private final List<Sent> sent = new ArrayList<>();
    private final ManualClock clock = new ManualClock();
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
            sent.add(new Sent(to.id, b));
            return b.length;
        }

        @Override
        public void learned(Member m) {}

        @Override
        public void catchUp() {}
    });
    private final ByteBuffer buf =
            ByteBuffer.allocateDirect(Routing.bufferBytes(MAX)).order(ByteOrder.LITTLE_ENDIAN);

    private static InetSocketAddress address(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    private void receive(InetSocketAddress from, byte[] datagram) {
        buf.clear().position(Routing.HEAD);
        buf.put(datagram);
        routing.route(buf, table.byAddress(from), from, datagram.length);
    }

    private static byte[] pcm(int sender, int sequence, int fill) {
        byte[] b = new byte[VoiceDatagram.HEADER_LENGTH + 1024];
        new VoiceDatagram()
                .wrap(ByteBuffer.wrap(b), 0, b.length)
                .writeHeader(false, PayloadType.PCM, sender, sequence, 512L * sequence);
        Arrays.fill(b, VoiceDatagram.HEADER_LENGTH, b.length, (byte) fill);
        return b;
    }

    private Peer joined(int id, InetSocketAddress at) {
        Peer p = new Peer(id);
        table.add(p.member);
        receive(at, p.control(PayloadType.HELLO));
        return p;
    }

    @Test
    void aSealedHelloBindsTheAddressAndIsAnsweredWithASealedAckOfTheSameLength() {
        Peer ann = new Peer(1);
        table.add(ann.member);
        byte[] hello = ann.control(PayloadType.HELLO);
        receive(ANN, hello);
        assertThat(table.byId(1).address).isEqualTo(ANN);
        assertThat(sent).singleElement().satisfies(s -> {
            assertThat(s.bytes()).hasSize(hello.length).hasSize(30);
            byte[] ack = ann.open(s.bytes());
            assertThat(ack).isNotNull();
            assertThat(new VoiceDatagram()
                            .wrap(ByteBuffer.wrap(ack), 0, ack.length)
                            .payloadType())
                    .isEqualTo(PayloadType.HELLO_ACK);
        });
        assertThat(counters.helloAcksSent.get()).isEqualTo(1);
    }

    @Test
    void aReplayedHelloOrKeepaliveFromAnotherAddressMovesNothingAndIsCounted() {
        Peer ann = new Peer(1);
        table.add(ann.member);
        byte[] hello = ann.control(PayloadType.HELLO);
        byte[] keepalive = ann.control(PayloadType.KEEPALIVE);
        receive(ANN, hello);
        receive(ANN, keepalive);
        sent.clear();
        receive(STRANGER, hello);
        receive(STRANGER, keepalive);
        receive(ANN, keepalive);
        assertThat(counters.droppedReplayed.get()).isEqualTo(3);
        assertThat(table.byId(1).address).isEqualTo(ANN);
        assertThat(sent).isEmpty();
        // a fresh one from a new address is the member itself behind a rebinding NAT: it moves
        receive(STRANGER, ann.control(PayloadType.KEEPALIVE));
        assertThat(table.byId(1).address).isEqualTo(STRANGER);
        assertThat(counters.voiceAddressesLearned.get()).isEqualTo(2);
    }

    @Test
    void noProofTakesTheAddressOfAnotherMemberHeardFromItRecently() {
        Peer ann = joined(1, ANN);
        Peer bob = joined(2, BOB);
        // bob spoofs ann's address with his own, valid, KEEPALIVE
        receive(ANN, bob.control(PayloadType.KEEPALIVE));
        assertThat(table.byId(1).address).isEqualTo(ANN);
        assertThat(table.byId(2).address).isEqualTo(BOB);
        assertThat(counters.droppedWrongAddress.get()).isEqualTo(1);
        // once ann has been silent longer than a NAT keeps a mapping, the port may be someone else's
        clock.millis += Routing.LIVE_MILLIS;
        receive(ANN, bob.control(PayloadType.KEEPALIVE));
        assertThat(table.byId(2).address).isEqualTo(ANN);
        assertThat(table.byId(1).address).isNull();
        assertThat(ann.member.address).isNull();
    }

    @Test
    void sealedVoiceIsOpenedOnceAndSealedForEachEncryptingRecipientPlaintextForTheOthers() {
        Peer ann = joined(1, ANN);
        Peer bob = joined(2, BOB);
        table.add(Member.tip2(3, 33));
        byte[] cyHello = new byte[VoiceDatagram.HEADER_LENGTH + PayloadType.TOKEN_LENGTH];
        new VoiceDatagram()
                .wrap(ByteBuffer.wrap(cyHello), 0, cyHello.length)
                .writeHeader(false, PayloadType.HELLO, 3, 0, 0)
                .token(33);
        receive(CY, cyHello);
        sent.clear();
        for (int i = 0; i < 3; i++) {
            receive(ANN, ann.seal(pcm(1, i, 10 + i)));
        }
        assertThat(sent).extracting(Sent::to).containsExactly(2, 3, 2, 3, 2, 3);
        for (int i = 0; i < 3; i++) {
            byte[] toBob = sent.get(2 * i).bytes();
            assertThat(toBob).hasSize(1054);
            assertThat(toBob[0] & VoiceDatagram.SEALED_BIT).isNotZero();
            assertThat(bob.open(toBob)).as("bob opens copy %d", i).isEqualTo(pcm(1, i, 10 + i));
            assertThat(sent.get(2 * i + 1).bytes()).as("cy's plaintext copy").isEqualTo(pcm(1, i, 10 + i));
        }
        // and the other way: plaintext voice from cy is sealed for ann and bob
        sent.clear();
        receive(CY, pcm(3, 7, 99));
        assertThat(sent).extracting(Sent::to).containsExactlyInAnyOrder(1, 2);
        for (Sent s : sent) {
            assertThat((s.to() == 1 ? ann : bob).open(s.bytes())).isEqualTo(pcm(3, 7, 99));
        }
    }

    @Test
    void tamperedTruncatedAndPlaintextDatagramsForAnEncryptingMemberAreForgedAndNeverRelayed() {
        Peer ann = joined(1, ANN);
        joined(2, BOB);
        sent.clear();
        byte[] good = ann.seal(pcm(1, 0, 5));
        for (int at : new int[] {0, 1, 5, 11, 14, 500, good.length - 1}) {
            byte[] t = good.clone();
            t[at] ^= 0x04;
            receive(ANN, t);
        }
        receive(ANN, Arrays.copyOf(good, good.length - 1));
        receive(ANN, Arrays.copyOf(good, 40));
        receive(ANN, Arrays.copyOf(ann.control(PayloadType.KEEPALIVE), 29));
        // plaintext in ann's name: voice, and a HELLO with a guessed token
        receive(ANN, pcm(1, 1, 5));
        byte[] hello = new byte[VoiceDatagram.HEADER_LENGTH + PayloadType.TOKEN_LENGTH];
        new VoiceDatagram()
                .wrap(ByteBuffer.wrap(hello), 0, hello.length)
                .writeHeader(false, PayloadType.HELLO, 1, 0, 0)
                .token(1001);
        receive(STRANGER, hello);
        assertThat(sent).isEmpty();
        assertThat(counters.datagramsRelayed.get()).isZero();
        // flipping byte 0's version bits makes it no TIP/2 datagram at all; the rest do not open
        assertThat(counters.droppedForged.get() + counters.droppedMalformed.get())
                .isEqualTo(12);
        assertThat(counters.droppedForged.get()).isGreaterThanOrEqualTo(10);
        assertThat(table.byId(1).address).isEqualTo(ANN);
        // the window did not move: the genuine datagram still goes through
        receive(ANN, good);
        assertThat(sent).extracting(Sent::to).containsExactly(2);
    }

    @Test
    void sealedVoiceFromAnAddressTheMemberHasNotProvedIsDroppedWithoutOpening() {
        Peer ann = joined(1, ANN);
        joined(2, BOB);
        sent.clear();
        receive(STRANGER, ann.seal(pcm(1, 0, 5)));
        receive(BOB, ann.seal(pcm(1, 1, 5)));
        assertThat(counters.droppedWrongAddress.get()).isEqualTo(1);
        assertThat(counters.droppedWrongSession.get()).isEqualTo(1);
        assertThat(sent).isEmpty();
        assertThat(ann.member.opener.highest()).as("nothing opened").isEqualTo(0);
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
}
