package dev.tip.server.internal;

import dev.tip.core.internal.crypto.DatagramOpener;
import dev.tip.core.internal.crypto.DatagramSealer;
import java.net.InetSocketAddress;

/**
 * One member of the voice relay: its session id, dialect, token and voice address, and the header
 * the server writes for its datagrams when it speaks the original dialect. Confined to the relay
 * thread; plain data, no sockets ({@link MemberTable} owns the address, {@link Routing} the header
 * state).
 */
final class Member {
    final int id;
    /** TIP/2 (header on every datagram, address learned from HELLO) rather than original (raw PCM). */
    final boolean tip2;
    /** The token sent to a TIP/2 member in SESSION; 0 for an original member. */
    final long token;
    /** The voice address; null for a TIP/2 member until its HELLO. Written by {@link MemberTable}. */
    InetSocketAddress address;

    /** Position in the table's list of members, for removal in constant time. */
    int index = -1;
    /** The room it is in (the server's room id; 0 is the default room). Written by {@link MemberTable}. */
    int room;
    /** Position in its room's list, for removal in constant time; -1 while in none. */
    int roomIndex = -1;
    /** Which registration of its id this is (set by the relay), so that a stale change misses it. */
    int generation;
    /** Its voice stream's counters (made at registration), or null for a member built without. */
    StreamCounters stream;
    /** Muted by the server: its voice is not relayed (counted in {@code droppedMuted}). */
    boolean muted;
    // the header the server writes for an original sender's datagrams to TIP/2 recipients
    int sequence;
    long timestamp;
    long lastVoiceMillis;
    boolean spoken;
    /** Waits for the relay loop to open its connected socket. */
    boolean wantsSocket;
    /** Its datagrams' rate limit; made by {@link Routing} on its first datagram. */
    TokenBucket budget;
    /** Its frames waiting for the original listeners' mix; made at registration. */
    SpeakerQueue frames;
    /** Its decoder for a codec other than PCM (a TIP/2 speaker's Opus, later); null: not mixed. */
    FrameDecoder decoder;
    /** Whether the mix being made has visited its room already: written by {@link Mixer} only. */
    boolean mixed;
    /** Its frame in the mix being sent, or null: written and read by {@link Mixer} only. */
    short[] contribution;
    /**
     * An encrypting TIP/2 member's c2s side (opens what it sends, with its replay window); null
     * for a member that does not encrypt. Made at registration, used on the relay thread.
     */
    DatagramOpener opener;
    /** An encrypting member's s2c side: seals every copy sent to it; null without encryption. */
    DatagramSealer sealer;
    /**
     * Its voice tunnel on the control connection (docs/protocol.md, "Voice over the control
     * connection"): the queue its copies go into while {@link #viaTunnel}; null for a member that
     * did not negotiate one. Made at registration on the control thread, which writes it out.
     */
    dev.tip.core.protocol.TunnelQueue tunnel;
    /**
     * Whether its last voice datagram or KEEPALIVE came through the tunnel: the room's voice then
     * goes to it the same way. Relay thread.
     */
    boolean viaTunnel;
    /** When an authenticated datagram last came from its address (encrypting members), clock millis. */
    long lastHeardMillis = Long.MIN_VALUE / 2;

    Member(int id, InetSocketAddress address, boolean tip2, long token) {
        this.id = id;
        this.address = address;
        this.tip2 = tip2;
        this.token = token;
    }

    static Member original(int id, InetSocketAddress address) {
        return new Member(id, address, false, 0);
    }

    static Member tip2(int id, long token) {
        return new Member(id, null, true, token);
    }

    /** True for a TIP/2 member whose datagrams are sealed both ways. */
    boolean encrypted() {
        return opener != null;
    }

    @Override
    public String toString() {
        return (tip2 ? (opener != null ? "tip2 sealed " : "tip2 ") : "original ") + id + " " + address;
    }
}
