package dev.tip.server.internal;

import dev.tip.core.protocol.TunnelFramer;
import dev.tip.core.protocol.TunnelQueue;
import dev.tip.core.voice.PayloadType;
import dev.tip.core.voice.VoiceDatagram;
import java.nio.ByteBuffer;

/**
 * The relay's side of TIP/2's voice tunnel (docs/protocol.md, "Voice over the control
 * connection"), kept out of the relay's socket code:
 *
 * <ul>
 *   <li><b>In</b>: the control thread hands every datagram it finds in a tunnel frame to {@link
 *       #offerInbound}, which copies it into a preallocated ring and wakes the relay; the relay
 *       thread {@link #drain}s the ring each loop turn and routes each datagram as if its member
 *       had sent it over UDP ({@link Routing#routeTunnelled}). A full ring drops the newest (the
 *       relay is behind; counted in {@code tunnelDroppedInbound} by the caller).
 *   <li><b>Out</b>: as the {@link Routing.Output} that routing sends through, it passes every copy
 *       on to the relay's sockets, except a copy for a member whose path is the tunnel: that one is
 *       copied into the member's {@link TunnelQueue} (oldest dropped when full), and the control
 *       thread is woken to write it. HELLO_ACK always goes over UDP: it answers a UDP probe.
 * </ul>
 *
 * <p>Threading: {@link #offerInbound} and {@link #controlWakeup} are for the control thread;
 * everything else runs on the relay thread. The ring is guarded by its own lock, held only to copy
 * one datagram. Nothing here allocates per datagram.
 */
final class Tunnels implements Routing.Output {

    /** Datagrams the control thread may queue for the relay before it drops (about 1 s of 16 speakers). */
    static final int INBOUND_SLOTS = 512;
    /** Copies waiting for one tunnelled member's TCP connection: about 400 ms of one speaker. */
    static final int MEMBER_SLOTS = 16;

    private final Routing.Output udp;
    private final Counters counters;
    private final Runnable relayWakeup;
    private final int maxDatagram;
    private volatile Runnable controlWakeup = () -> {};

    // the ring, guarded by itself
    private final Object ring = new Object();
    private final byte[][] data;
    private final int[] lengths;
    private final int[] ids;
    private final long[] tokens;
    private int head;
    private int size;
    // the members whose queue got its first copy since the control thread last looked, guarded by ready
    private final Object ready = new Object();
    private final int[] readyIds;
    private final boolean[] isReady;
    private int readyHead;
    private int readySize;

    /**
     * Creates the tunnels of a relay.
     *
     * @param udp the relay's sockets
     * @param counters where to count
     * @param maxDatagramBytes the relay's payload limit; a datagram may be a header and seal longer
     * @param relayWakeup wakes the relay thread (its selector)
     */
    Tunnels(Routing.Output udp, Counters counters, int maxDatagramBytes, int maxUsers, Runnable relayWakeup) {
        this.udp = udp;
        this.counters = counters;
        this.relayWakeup = relayWakeup;
        this.maxDatagram = maxDatagram(maxDatagramBytes);
        this.data = new byte[INBOUND_SLOTS][this.maxDatagram];
        this.lengths = new int[INBOUND_SLOTS];
        this.ids = new int[INBOUND_SLOTS];
        this.tokens = new long[INBOUND_SLOTS];
        this.readyIds = new int[maxUsers];
        this.isReady = new boolean[maxUsers];
    }

    /**
     * Control thread: the next member whose tunnel queue has copies to write, once per time its
     * queue went from empty to not empty.
     *
     * @return its session id, or -1 if none
     */
    int pollReady() {
        synchronized (ready) {
            if (readySize == 0) {
                return -1;
            }
            int id = readyIds[readyHead];
            readyHead = (readyHead + 1) % readyIds.length;
            readySize--;
            isReady[id] = false;
            return id;
        }
    }

    private void markReady(int id) {
        synchronized (ready) {
            if (isReady[id]) {
                return;
            }
            isReady[id] = true;
            readyIds[(readyHead + readySize) % readyIds.length] = id;
            readySize++;
        }
        controlWakeup.run();
    }

    /** The longest datagram a tunnel frame may carry to or from this server. */
    static int maxDatagram(int maxDatagramBytes) {
        return Math.min(
                TunnelFramer.MAX_DATAGRAM,
                VoiceDatagram.HEADER_LENGTH + maxDatagramBytes + VoiceDatagram.SEALED_OVERHEAD);
    }

    /**
     * A new queue for a member that negotiated the tunnel.
     *
     * @return the queue its copies wait in
     */
    TunnelQueue newMemberQueue() {
        return new TunnelQueue(MEMBER_SLOTS, maxDatagram);
    }

    /**
     * Sets what wakes the control thread when a tunnelled member's queue gets its first copy.
     *
     * @param wakeup the control selector's wakeup
     */
    void controlWakeup(Runnable wakeup) {
        this.controlWakeup = wakeup;
    }

    /**
     * Control thread: a datagram member {@code id} sent in a tunnel frame, for the relay.
     *
     * @param id the member's session id
     * @param token its registration's token (a datagram of an earlier member of the id is dropped)
     * @param buf the bytes
     * @param off where the datagram starts
     * @param len its length, 1..{@link #maxDatagram(int)}
     * @return false if it was not queued (the ring is full, or it is too long)
     */
    boolean offerInbound(int id, long token, byte[] buf, int off, int len) {
        if (len < 1 || len > maxDatagram) {
            return false;
        }
        boolean wake;
        synchronized (ring) {
            if (size == INBOUND_SLOTS) {
                return false;
            }
            int slot = (head + size) % INBOUND_SLOTS;
            System.arraycopy(buf, off, data[slot], 0, len);
            lengths[slot] = len;
            ids[slot] = id;
            tokens[slot] = token;
            wake = size++ == 0;
        }
        if (wake) {
            relayWakeup.run();
        }
        return true;
    }

    /**
     * Relay thread: routes every datagram the control thread queued, each laid out in {@code buf}
     * as one received over UDP.
     *
     * @param table the members
     * @param routing the routing
     * @param buf the relay's receive buffer
     */
    void drain(MemberTable table, Routing routing, ByteBuffer buf) {
        while (true) {
            int id;
            long token;
            int n;
            synchronized (ring) {
                if (size == 0) {
                    return;
                }
                id = ids[head];
                token = tokens[head];
                n = lengths[head];
                buf.clear();
                buf.put(Routing.HEAD, data[head], 0, n);
                head = (head + 1) % INBOUND_SLOTS;
                size--;
            }
            Member m = table.byId(id);
            if (m == null || m.tunnel == null || m.token != token) {
                // the member left (or its id was reused) while the datagram waited
                Counters.add(counters.droppedWrongSession, 1);
                continue;
            }
            routing.routeTunnelled(buf, m, n);
        }
    }

    /**
     * Relay thread: the registration of this member is about to be replaced or removed.
     *
     * @param m the member, or null
     */
    void leaving(Member m) {
        if (m != null && m.viaTunnel) {
            m.viaTunnel = false;
            Counters.add(counters.tunnelledMembers, -1);
        }
    }

    @Override
    public int send(Member to, ByteBuffer datagram) {
        TunnelQueue q = to.tunnel;
        if (!to.viaTunnel
                || q == null
                || datagram.get(datagram.position() + VoiceDatagram.OFFSET_PAYLOAD_TYPE) == PayloadType.HELLO_ACK) {
            return to.address == null ? -1 : udp.send(to, datagram);
        }
        int bytes = datagram.remaining();
        int r = q.offer(datagram);
        if (r < 0) {
            return -1;
        }
        Counters.add(counters.tunnelDatagramsOut, 1);
        if (r == TunnelQueue.QUEUED_DROPPING_OLDEST) {
            Counters.add(counters.tunnelDroppedOverflow, 1);
        } else if (r == TunnelQueue.QUEUED_FIRST) {
            markReady(to.id);
        }
        return bytes;
    }

    @Override
    public void learned(Member m) {
        udp.learned(m);
    }

    @Override
    public void catchUp() {
        udp.catchUp();
    }
}
