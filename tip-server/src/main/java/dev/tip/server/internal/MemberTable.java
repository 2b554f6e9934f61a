package dev.tip.server.internal;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashMap;

/**
 * The relay's members, by session id and by voice address, and the lists the fan-out walks: all
 * members, and each room's own ({@link RoomList}, by room id), so that a datagram costs a walk
 * of its sender's room only. An
 * address belongs to one member at a time: whoever proved it last (a NAT may hand a port to
 * someone else). Tells its {@link Bindings} each time a member gains or loses an address, so that
 * the relay loop can open or close that member's socket. Confined to the relay thread; no I/O.
 */
final class MemberTable {

    /** Told, synchronously, when a member's voice address is set or cleared. */
    interface Bindings {
        /**
         * {@code m} now has the voice address {@code m.address}.
         *
         * @param m the member
         */
        void bound(Member m);

        /**
         * {@code m} no longer has the voice address it had (moved, displaced, or removed).
         *
         * @param m the member
         */
        void unbound(Member m);
    }

    /** One room's members, in no particular order, and its original listeners. */
    static final class RoomList {
        Member[] members = new Member[4];
        int size;
        int originalListeners;
        /** The application's taps on this room (set by the relay thread), or empty. */
        TapSink[] taps = NO_TAPS;

        /** The {@code i}th member, {@code 0 <= i < size}. */
        Member get(int i) {
            return members[i];
        }
    }

    private static final TapSink[] NO_TAPS = new TapSink[0];
    private static final RoomList EMPTY = new RoomList();

    /**
     * Adds or removes a tap of room {@code room} (relay thread; allocates, rarely).
     *
     * @param tap the tap
     * @param add true to add, false to remove
     */
    void tap(TapSink tap, boolean add) {
        int room = tap.room();
        if (room >= rooms.length) {
            rooms = java.util.Arrays.copyOf(rooms, Math.max(room + 1, rooms.length * 2));
        }
        RoomList r = rooms[room];
        if (r == null) {
            r = rooms[room] = new RoomList();
        }
        java.util.List<TapSink> now = new java.util.ArrayList<>(java.util.List.of(r.taps));
        if (add) {
            now.add(tap);
        } else {
            now.remove(tap);
        }
        r.taps = now.toArray(NO_TAPS);
    }

    private final Member[] byId;
    private final Member[] list;
    private int size;
    private int originalListeners;
    /** Each room id's list, made when the room gets its first member; never freed (ids are reused). */
    private RoomList[] rooms = new RoomList[8];

    private final HashMap<InetSocketAddress, Member> byAddress = new HashMap<>();
    private final Bindings bindings;
    // DatagramChannel.receive returns the same address object for the same sender in a row
    private SocketAddress lastSender;
    private Member lastMember;

    MemberTable(int maxUsers, Bindings bindings) {
        this.byId = new Member[maxUsers];
        this.list = new Member[maxUsers];
        this.bindings = bindings;
    }

    /** Highest session id plus one. */
    int capacity() {
        return byId.length;
    }

    /** Members now. */
    int size() {
        return size;
    }

    /** Original members with a voice address now: the listeners of the server's mix. */
    int originalListeners() {
        return originalListeners;
    }

    /**
     * The members of room {@code room}; an empty list for a room without any. Allocates nothing.
     *
     * @param room the room id
     * @return its list (read only)
     */
    RoomList room(int room) {
        RoomList r = room >= 0 && room < rooms.length ? rooms[room] : null;
        return r == null ? EMPTY : r;
    }

    /**
     * Moves {@code m} (a member of this table) to room {@code room}. Allocates only for a room id
     * never used before or a room that grows past its largest size.
     *
     * @param m the member
     * @param room the room id
     */
    void move(Member m, int room) {
        if (byId(m.id) != m || m.room == room) {
            return;
        }
        leaveRoom(m);
        m.room = room;
        enterRoom(m);
    }

    private void enterRoom(Member m) {
        if (m.room >= rooms.length) {
            rooms = java.util.Arrays.copyOf(rooms, Math.max(m.room + 1, rooms.length * 2));
        }
        RoomList r = rooms[m.room];
        if (r == null) {
            r = rooms[m.room] = new RoomList();
        }
        if (r.size == r.members.length) {
            r.members = java.util.Arrays.copyOf(r.members, r.size * 2);
        }
        m.roomIndex = r.size;
        r.members[r.size++] = m;
        if (!m.tip2 && m.address != null) {
            r.originalListeners++;
        }
    }

    private void leaveRoom(Member m) {
        if (m.roomIndex < 0) {
            return;
        }
        RoomList r = rooms[m.room];
        Member last = r.members[--r.size];
        r.members[m.roomIndex] = last;
        last.roomIndex = m.roomIndex;
        r.members[r.size] = null;
        m.roomIndex = -1;
        if (!m.tip2 && m.address != null) {
            r.originalListeners--;
        }
    }

    /** The {@code i}th member, {@code 0 <= i < size()}, in no particular order. */
    Member get(int i) {
        return list[i];
    }

    /** The member with session id {@code id}, or null (also for ids out of range). */
    Member byId(int id) {
        return id >= 0 && id < byId.length ? byId[id] : null;
    }

    /** The member whose voice address is {@code from}, or null. Allocates nothing. */
    Member byAddress(SocketAddress from) {
        if (from != lastSender) {
            lastMember = byAddress.get(from);
            lastSender = from;
        }
        return lastMember;
    }

    /** Adds {@code m}, replacing a member with the same id; binds its address if it has one. */
    void add(Member m) {
        remove(m.id);
        byId[m.id] = m;
        m.index = size;
        list[size++] = m;
        InetSocketAddress address = m.address;
        m.address = null;
        enterRoom(m);
        if (address != null) {
            bind(m, address);
        }
    }

    /** Removes the member with session id {@code id}, if any. */
    void remove(int id) {
        Member m = byId(id);
        if (m == null) {
            return;
        }
        unbind(m);
        leaveRoom(m);
        byId[id] = null;
        Member moved = list[--size];
        list[m.index] = moved;
        moved.index = m.index;
        list[size] = null;
        m.index = -1;
    }

    /**
     * Gives {@code m} the voice address {@code address}, taking it from whoever held it.
     *
     * @return false if {@code m} had that address already (nothing changed)
     */
    boolean bind(Member m, InetSocketAddress address) {
        if (address.equals(m.address)) {
            return false;
        }
        unbind(m);
        Member holder = byAddress.get(address);
        if (holder != null) {
            unbind(holder);
        }
        m.address = address;
        if (!m.tip2) {
            originalListeners++;
            if (m.roomIndex >= 0) {
                rooms[m.room].originalListeners++;
            }
        }
        byAddress.put(address, m);
        forgetLastSender();
        bindings.bound(m);
        return true;
    }

    private void unbind(Member m) {
        if (m.address == null) {
            return;
        }
        if (byAddress.get(m.address) == m) {
            byAddress.remove(m.address);
        }
        m.address = null;
        if (!m.tip2) {
            originalListeners--;
            if (m.roomIndex >= 0) {
                rooms[m.room].originalListeners--;
            }
        }
        forgetLastSender();
        bindings.unbound(m);
    }

    private void forgetLastSender() {
        lastSender = null;
        lastMember = null;
    }
}
