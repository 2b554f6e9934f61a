package dev.tip.server.internal;

import dev.tip.core.internal.crypto.DatagramOpener;
import dev.tip.core.protocol.TipProtocol;
import dev.tip.core.voice.PayloadType;
import dev.tip.core.voice.VoiceDatagram;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Clock;

/**
 * What happens to one received datagram: the original client's greeting is dropped, an original
 * member's raw PCM goes to everyone else in its room (with a header the server writes for TIP/2 recipients),
 * a TIP/2 datagram is validated (version, length, sender id against the address it came from),
 * HELLO and KEEPALIVE with the right token teach or move a member's voice address (HELLO is
 * answered with HELLO_ACK), and TIP/2 voice goes to everyone else in the sender's room (its PCM
 * payload alone to original recipients). Rooms never hear each other: the fan-out walks the
 * sender's {@link MemberTable.RoomList} only. A member the server mutes is heard by nobody
 * ({@code droppedMuted}). Everything refused is counted and dropped, never answered.
 *
 * <p>With mixing on ({@code TipServer.Builder.mixOriginalListeners}; on in the shorter
 * constructors, which tests use), while the room has an original listener, original recipients do not get copies: every voice
 * frame the {@link Mixer} can decode (a whole 512-sample PCM frame) goes into its mix instead,
 * which sends them one stream at the server's pace. A frame it cannot mix (another length) still
 * goes to them as a copy. TIP/2 recipients always get each speaker's own stream, at once.
 *
 * <p>Every datagram sits at {@code [HEAD, HEAD + n)} of one buffer, so the per-recipient framing
 * is a choice of slice: {@code [0, HEAD + n)} after writing a header in front of an original
 * sender's PCM, {@code [HEAD, ...)} as received, {@code [2 * HEAD, ...)} for a TIP/2 sender's
 * payload alone. Nothing is copied and nothing is allocated.
 *
 * <p>Each member's datagrams are limited by a token bucket ({@code maxPerSecond} at once and per
 * second): beyond it they are dropped and counted in {@code droppedRateLimited}, never relayed.
 *
 * <p>Counting: a copy is counted in {@code datagramsRelayed} before it is handed to
 * {@link Output#send}, so whoever has received a copy sees it counted; a copy the socket refuses
 * is then moved to {@code droppedSendFailed}.
 *
 * <p>Encrypting members (docs/protocol.md, "Voice protection"): their datagrams are sealed. One
 * from a member is copied once into a heap work buffer and opened there with the member's c2s
 * {@link DatagramOpener} (its replay window first, so a replay costs no decryption); the plaintext
 * form goes back where a plaintext sender's datagram would lie, so the fan-out is the same for
 * everyone; each encrypting recipient's copy is then sealed with its own s2c sealer into the send
 * buffer (hop by hop: open once per datagram, seal once per recipient). A sealed HELLO or
 * KEEPALIVE that opens and is new proves the address; a replayed or forged one moves nothing, and
 * no proof takes an address from another member heard from it within {@link #LIVE_MILLIS}. A
 * plaintext datagram naming an encrypting member is forged by definition. The JCE allocates in
 * {@code Cipher.init} (about a kilobyte per sealed or opened datagram on JDK 17); nothing else
 * here does.
 *
 * <p>Threading: confined to the relay thread. Pure apart from its {@link Output}, so tests drive
 * it without sockets.
 */
final class Routing {

    /** Offset at which datagrams are received into the buffer: room for a header in front. */
    static final int HEAD = VoiceDatagram.HEADER_LENGTH;
    /** Length of the original client's greeting datagram (1024 ASCII {@code a}). */
    static final int PROBE_LENGTH = TipProtocol.GREETING_LENGTH;
    /** Silence from an original sender after which its next datagram carries the marker. */
    static final long TALK_SPURT_GAP_MILLIS = 200;
    /** The most an original receiver reads from one datagram. */
    static final int ORIGINAL_MAX_PAYLOAD = 1024;
    /**
     * A member heard from its address this recently keeps it: no other member's proof moves it (a
     * NAT hands a port to someone else only after its mapping expired; clients send KEEPALIVE
     * every 5 s while silent).
     */
    static final long LIVE_MILLIS = 15_000;

    /** What routing asks of the relay's sockets. Called on the relay thread. */
    interface Output {
        /**
         * Sends the buffer's position..limit to {@code to}.
         *
         * @param to the recipient (its address is not null)
         * @param datagram the buffer, positioned on the slice to send
         * @return the bytes sent, 0 if the socket refused it, -1 on an error
         */
        int send(Member to, ByteBuffer datagram);

        /**
         * A TIP/2 member's voice address was learned or moved (the table holds it already).
         *
         * @param m the member
         */
        void learned(Member m);

        /** Applies registrations queued by the control thread: a HELLO can overtake its own. */
        void catchUp();
    }

    private final MemberTable table;
    private final int maxDatagramBytes;
    private final int maxPerSecond;
    private final Counters counters;
    private final Clock clock;
    private final Output out;
    private final VoiceDatagram datagram = new VoiceDatagram();
    private final Mixer mixer;
    private final boolean mix;
    /** Where a sealed datagram is opened: the JCE works on heap arrays without copying. */
    private final ByteBuffer work;
    /** Where each encrypting recipient's copy is sealed. */
    private final ByteBuffer sealed;
    /** Whether the datagram being routed came through its member's control connection. */
    private boolean fromTunnel;

    /**
     * Creates the routing over a member table.
     *
     * @param table the members
     * @param maxDatagramBytes longest voice payload relayed (a TIP/2 datagram may be a header longer)
     * @param counters where to count
     * @param clock time for talk-spurt markers; its {@code millis()} must not allocate
     * @param out the sockets
     */
    Routing(MemberTable table, int maxDatagramBytes, Counters counters, Clock clock, Output out) {
        this(table, maxDatagramBytes, Integer.MAX_VALUE / 2, counters, clock, out);
    }

    /**
     * Creates the routing over a member table, with a limit on each member's datagrams.
     *
     * @param table the members
     * @param maxDatagramBytes longest voice payload relayed (a TIP/2 datagram may be a header longer)
     * @param maxPerSecond most datagrams relayed (or answered) per second from one member, and at once
     * @param counters where to count
     * @param clock time for talk-spurt markers and the limit; its {@code millis()} must not allocate
     * @param out the sockets
     */
    Routing(MemberTable table, int maxDatagramBytes, int maxPerSecond, Counters counters, Clock clock, Output out) {
        this(table, maxDatagramBytes, maxPerSecond, true, counters, clock, out);
    }

    /**
     * Creates the routing over a member table, with a limit on each member's datagrams.
     *
     * @param table the members
     * @param maxDatagramBytes longest voice payload relayed (a TIP/2 datagram may be a header longer)
     * @param maxPerSecond most datagrams relayed (or answered) per second from one member, and at once
     * @param mix whether original listeners get the {@link Mixer}'s stream instead of copies
     * @param counters where to count
     * @param clock time for talk-spurt markers and the limit; its {@code millis()} must not allocate
     * @param out the sockets
     */
    Routing(
            MemberTable table,
            int maxDatagramBytes,
            int maxPerSecond,
            boolean mix,
            Counters counters,
            Clock clock,
            Output out) {
        this.mix = mix;
        this.table = table;
        this.maxDatagramBytes = maxDatagramBytes;
        this.maxPerSecond = maxPerSecond;
        this.counters = counters;
        this.clock = clock;
        this.out = out;
        this.mixer = new Mixer(table, counters, out);
        this.work = ByteBuffer.allocate(bufferBytes(maxDatagramBytes));
        this.sealed = ByteBuffer.allocate(bufferBytes(maxDatagramBytes));
    }

    /**
     * The original listeners' mix, which the relay loop ticks.
     *
     * @return the mixer
     */
    Mixer mixer() {
        return mixer;
    }

    /**
     * Size of the buffer datagrams are received into: a header in front, and one byte more than
     * the longest datagram accepted, so that a longer one is seen as longer, not truncated.
     */
    static int bufferBytes(int maxDatagramBytes) {
        return HEAD + Math.max(maxDatagramBytes + HEAD + VoiceDatagram.SEALED_OVERHEAD + 1, PROBE_LENGTH + 1);
    }

    /**
     * Handles the {@code n} bytes at {@code [HEAD, HEAD + n)} of {@code buf} (little-endian, as
     * long as {@link #bufferBytes}), which came from {@code source}.
     *
     * @param buf the receive buffer
     * @param m the member whose voice address {@code source} is, or null
     * @param source where the datagram came from
     * @param n its length
     */
    void route(ByteBuffer buf, Member m, InetSocketAddress source, int n) {
        fromTunnel = false;
        routeChecked(buf, m, source, n);
    }

    /**
     * Handles a datagram that TIP/2 member {@code m} sent through its control connection (a tunnel
     * frame), laid out as {@link #route} wants it: checked and relayed as if it had come from the
     * member's voice address; a KEEPALIVE sets the member's path to the tunnel, HELLO and
     * HELLO_ACK mean nothing here (HELLO is the probe of the UDP path).
     *
     * @param buf the receive buffer
     * @param m the member whose connection carried it
     * @param n its length
     */
    void routeTunnelled(ByteBuffer buf, Member m, int n) {
        fromTunnel = true;
        try {
            routeChecked(buf, m, m.address, n);
        } finally {
            fromTunnel = false;
        }
    }

    /** The member's outbound path follows the path of its last voice datagram or KEEPALIVE. */
    private void path(Member m, boolean tunnel) {
        if (m.viaTunnel != tunnel && (m.tunnel != null || !tunnel)) {
            m.viaTunnel = tunnel;
            Counters.add(counters.tunnelledMembers, tunnel ? 1 : -1);
            if (!tunnel) {
                // back on UDP: what still waits for the tunnel is older than what UDP now brings
                m.tunnel.clear();
            }
        }
    }

    private void routeChecked(ByteBuffer buf, Member m, InetSocketAddress source, int n) {
        Counters.add(counters.datagramsReceived, 1);
        Counters.add(counters.bytesReceived, n);
        if (TipProtocol.isGreeting(buf, HEAD, n)) {
            // usually from the main socket: the greeting often arrives before CLIENT_PORT is read
            Counters.add(counters.droppedProbe, 1);
            return;
        }
        long now = clock.millis();
        if (m != null && !withinBudget(m, now)) {
            // a flood from one member costs the others nothing: dropped before any work
            Counters.add(counters.droppedRateLimited, 1);
            return;
        }
        if (m != null && !m.tip2) {
            if (n > maxDatagramBytes) {
                Counters.add(counters.droppedTooLong, 1);
            } else if (n == 0) {
                Counters.add(counters.droppedMalformed, 1);
            } else if (m.muted) {
                // the server mutes it: its voice reaches nobody
                m.lastHeardMillis = now;
                Counters.add(counters.droppedMuted, 1);
            } else {
                m.lastHeardMillis = now;
                fromOriginal(buf, m, n);
            }
            return;
        }
        // nobody's address, or a TIP/2 member's: only a valid TIP/2 datagram means anything
        boolean sealedBit = n > 0 && (buf.get(HEAD) & VoiceDatagram.SEALED_BIT) != 0;
        if (n > maxDatagramBytes + HEAD + (sealedBit ? VoiceDatagram.SEALED_OVERHEAD : 0)) {
            Counters.add(counters.droppedTooLong, 1);
            return;
        }
        VoiceDatagram d = datagram.wrap(buf, HEAD, n);
        int check = d.check();
        if (check == VoiceDatagram.BAD_SEALED_LENGTH) {
            // sealed, but cut short (or padded): it cannot authenticate
            Counters.add(counters.droppedForged, 1);
            return;
        }
        if (check != VoiceDatagram.OK) {
            Counters.add(m == null ? counters.droppedUnknownSender : counters.droppedMalformed, 1);
            return;
        }
        int type = d.payloadType();
        if (fromTunnel && PayloadType.isControl(type)) {
            // the connection proves who sent it; only KEEPALIVE means something here
            if (type == PayloadType.KEEPALIVE && d.senderId() == m.id) {
                path(m, true);
            } else {
                Counters.add(counters.droppedMalformed, 1);
            }
            return;
        }
        if (d.sealed()) {
            sealed(buf, m, source, d.senderId(), type, n, now);
            return;
        }
        if (PayloadType.isControl(type)) {
            association(buf, d, type, m, source, now);
            return;
        }
        int senderId = d.senderId();
        if (m == null) {
            Member claimed = table.byId(senderId);
            // a TIP/2 member's voice from an address it has not proved: spoofed, or before HELLO
            Counters.add(
                    claimed != null && claimed.tip2 ? counters.droppedWrongAddress : counters.droppedUnknownSender, 1);
            return;
        }
        if (senderId != m.id) {
            Counters.add(counters.droppedWrongSession, 1);
            return;
        }
        if (m.encrypted()) {
            // an encrypting member is heard only sealed: this one is someone else's
            Counters.add(counters.droppedForged, 1);
            return;
        }
        if (!fromTunnel) {
            m.lastHeardMillis = now;
        }
        path(m, fromTunnel);
        voice(buf, m, type, n);
    }

    /** A checked plaintext voice datagram at {@code [HEAD, HEAD + n)} from its member: to everyone else. */
    private void voice(ByteBuffer buf, Member m, int type, int n) {
        if (m.muted) {
            // the server mutes it: its voice reaches nobody
            Counters.add(counters.droppedMuted, 1);
            return;
        }
        if (m.stream != null) {
            VoiceDatagram d = datagram.wrap(buf, HEAD, n);
            m.stream.tip2(d.sequence(), d.timestamp(), System.nanoTime(), n - HEAD);
        }
        int originalStart = type == PayloadType.PCM && n - HEAD <= ORIGINAL_MAX_PAYLOAD ? 2 * HEAD : -1;
        if (mix
                && mixed(m.room)
                && mixer.offer(
                        m,
                        type,
                        buf,
                        2 * HEAD,
                        n - HEAD,
                        datagram.wrap(buf, HEAD, n).sequence())) {
            originalStart = -1;
        }
        fanOut(buf, m, HEAD, originalStart, HEAD + n);
    }

    /**
     * A checked sealed datagram at {@code [HEAD, HEAD + n)}, naming {@code senderId}: opened with
     * that member's key, then voice to everyone else or HELLO/KEEPALIVE to prove the address.
     */
    private void sealed(ByteBuffer buf, Member m, InetSocketAddress source, int senderId, int type, int n, long now) {
        Member t = table.byId(senderId);
        boolean control = PayloadType.isControl(type);
        if (t == null && type == PayloadType.HELLO) {
            out.catchUp();
            t = table.byId(senderId);
        }
        if (t == null || !t.tip2 || (m != null && m != t && !control)) {
            // nobody's id, an original member's, or voice from one member's address naming another
            Counters.add(counters.droppedWrongSession, 1);
            return;
        }
        if (!t.encrypted()) {
            Counters.add(counters.droppedForged, 1);
            return;
        }
        if (type == PayloadType.HELLO_ACK) {
            Counters.add(counters.droppedMalformed, 1);
            return;
        }
        if (m == null && !control) {
            // voice from an address the member has not proved: not worth a decryption
            Counters.add(counters.droppedWrongAddress, 1);
            return;
        }
        buf.get(HEAD, work.array(), 0, n);
        int plain = t.opener.open(work, 0, n);
        if (plain == DatagramOpener.REPLAYED) {
            Counters.add(counters.droppedReplayed, 1);
            return;
        }
        if (plain < 0) {
            Counters.add(counters.droppedForged, 1);
            return;
        }
        if (control) {
            sealedAssociation(t, m, source, type, plain, now);
            return;
        }
        if (!fromTunnel) {
            t.lastHeardMillis = now;
        }
        path(t, fromTunnel);
        // the plaintext form where a plaintext sender's datagram lies: the fan-out is the same
        buf.put(HEAD, work.array(), 0, plain);
        voice(buf, t, type, plain);
    }

    /**
     * An opened, fresh HELLO or KEEPALIVE of {@code t} (plaintext form at the work buffer's start)
     * from {@code source}, which {@code holder} holds (or nobody): binds or moves, answers HELLO.
     */
    private void sealedAssociation(Member t, Member holder, InetSocketAddress source, int type, int plain, long now) {
        if (holder != null && holder != t && now - holder.lastHeardMillis < LIVE_MILLIS) {
            // one member's proof never unbinds another member's live address
            Counters.add(counters.droppedWrongAddress, 1);
            return;
        }
        t.lastHeardMillis = now;
        if (table.bind(t, source)) {
            Counters.add(counters.voiceAddressesLearned, 1);
            out.learned(t);
        }
        if (type == PayloadType.KEEPALIVE) {
            path(t, false);
        }
        if (type == PayloadType.HELLO) {
            // the HELLO_ACK is the HELLO with its type changed, sealed for t: as long as the HELLO
            datagram.wrap(work, 0, plain).payloadType(PayloadType.HELLO_ACK);
            int len = t.sealer.seal(work, 0, plain, sealed, 0);
            sealed.limit(len).position(0);
            Counters.add(counters.helloAcksSent, 1);
            if (out.send(t, sealed) <= 0) {
                Counters.add(counters.helloAcksSent, -1);
                Counters.add(counters.droppedSendFailed, 1);
            }
        }
    }

    /** Whether room {@code room}'s voice goes through the mixer: it has original listeners or taps. */
    private boolean mixed(int room) {
        MemberTable.RoomList r = table.room(room);
        return r.originalListeners > 0 || r.taps.length > 0;
    }

    /**
     * Relays a virtual speaker's frame: {@code n} bytes of PCM at {@code [HEAD, HEAD + n)},
     * exactly as if an original member had sent them (a header for TIP/2 listeners, the mix
     * for original ones).
     *
     * @param buf the relay's buffer
     * @param m the virtual member
     * @param n the length
     */
    void inject(ByteBuffer buf, Member m, int n) {
        route(buf, m, null, n);
    }

    /** Takes one of {@code m}'s tokens, if it has one. Allocates only for a member without a budget. */
    private boolean withinBudget(Member m, long now) {
        TokenBucket b = m.budget;
        if (b == null) {
            b = m.budget = budget(maxPerSecond);
        }
        return b.tryTake(now);
    }

    /**
     * A member's budget of datagrams.
     *
     * @param maxPerSecond most datagrams per second, and at once
     * @return a full budget
     */
    static TokenBucket budget(int maxPerSecond) {
        return TokenBucket.perSecond(maxPerSecond);
    }

    /** Plaintext HELLO or KEEPALIVE (a HELLO_ACK from a client is malformed): learns, refreshes or moves. */
    private void association(
            ByteBuffer buf, VoiceDatagram d, int type, Member holder, InetSocketAddress source, long now) {
        if (type == PayloadType.HELLO_ACK) {
            Counters.add(counters.droppedMalformed, 1);
            return;
        }
        int id = d.senderId();
        Member t = table.byId(id);
        if (t == null && type == PayloadType.HELLO) {
            out.catchUp();
            t = table.byId(id);
        }
        if (t == null || !t.tip2) {
            Counters.add(counters.droppedWrongSession, 1);
            return;
        }
        if (t.encrypted()) {
            // an encrypting member proves its address only sealed; its token never travelled
            Counters.add(counters.droppedForged, 1);
            return;
        }
        // one 64-bit comparison: no early exit that would leak how many bytes matched
        if ((d.token() ^ t.token) != 0) {
            Counters.add(counters.droppedBadToken, 1);
            return;
        }
        if (holder != null && holder != t && holder.encrypted() && now - holder.lastHeardMillis < LIVE_MILLIS) {
            // a token holder cannot take an encrypting member's live address either
            Counters.add(counters.droppedWrongAddress, 1);
            return;
        }
        t.lastHeardMillis = now;
        if (table.bind(t, source)) {
            Counters.add(counters.voiceAddressesLearned, 1);
            out.learned(t);
        }
        if (type == PayloadType.KEEPALIVE) {
            path(t, false);
        }
        if (type == PayloadType.HELLO) {
            // the HELLO_ACK has the HELLO's layout and token: change the type and send it back
            d.payloadType(PayloadType.HELLO_ACK);
            buf.limit(HEAD + d.length()).position(HEAD);
            Counters.add(counters.helloAcksSent, 1);
            if (out.send(t, buf) <= 0) {
                Counters.add(counters.helloAcksSent, -1);
                Counters.add(counters.droppedSendFailed, 1);
            }
        }
    }

    /** Raw PCM at {@code [HEAD, HEAD + n)}: the server's header for this sender goes in front. */
    private void fromOriginal(ByteBuffer buf, Member sender, int n) {
        if (sender.stream != null) {
            sender.stream.plain(n);
        }
        long now = clock.millis();
        boolean marker = !sender.spoken || now - sender.lastVoiceMillis >= TALK_SPURT_GAP_MILLIS;
        sender.spoken = true;
        sender.lastVoiceMillis = now;
        datagram.wrap(buf, 0, HEAD + n)
                .writeHeader(marker, PayloadType.PCM, sender.id, sender.sequence, sender.timestamp);
        boolean mixed =
                mix && mixed(sender.room) && mixer.offer(sender, PayloadType.PCM, buf, HEAD, n, sender.sequence);
        sender.sequence = (sender.sequence + 1) & 0xFFFF;
        sender.timestamp = (sender.timestamp + n / 2) & 0xFFFF_FFFFL;
        fanOut(buf, sender, 0, mixed ? -1 : HEAD, HEAD + n);
    }

    /**
     * Sends {@code [tip2Start, end)} to TIP/2 recipients and {@code [originalStart, end)} to
     * original ones ({@code originalStart} negative: none), each counted before it is sent.
     */
    private void fanOut(ByteBuffer buf, Member sender, int tip2Start, int originalStart, int end) {
        // the sender's room only: no other room ever hears it, and its size alone is the cost
        MemberTable.RoomList room = table.room(sender.room);
        for (int i = 0, size = room.size; i < size; i++) {
            Member r = room.get(i);
            int start = r.tip2 ? tip2Start : originalStart;
            if (r == sender || (r.address == null && !r.viaTunnel) || start < 0) {
                continue;
            }
            int bytes;
            ByteBuffer copy;
            if (r.sealer != null) {
                // its own copy under its own key: sealed from the plaintext form, which stays
                bytes = r.sealer.seal(buf, start, end - start, sealed, 0);
                copy = sealed;
                copy.limit(bytes).position(0);
            } else {
                bytes = end - start;
                copy = buf;
                copy.limit(end).position(start);
            }
            Counters.add(counters.datagramsRelayed, 1);
            Counters.add(counters.bytesRelayed, bytes);
            if (out.send(r, copy) <= 0) {
                Counters.add(counters.datagramsRelayed, -1);
                Counters.add(counters.bytesRelayed, -bytes);
                Counters.add(counters.droppedSendFailed, 1);
            }
        }
    }
}
