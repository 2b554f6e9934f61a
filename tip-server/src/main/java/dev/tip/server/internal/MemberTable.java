package dev.tip.server.internal;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashMap;

/**
 * The relay's members, by session id and by voice address, and the list the fan-out walks. An
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

    private final Member[] byId;
    private final Member[] list;
    private int size;
    private int originalListeners;
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
        if (m.address != null) {
            InetSocketAddress address = m.address;
            m.address = null;
            bind(m, address);
        }
    }

    /** Removes the member with session id {@code id}, if any. */
    void remove(int id) {
        Member m = byId(id);
        if (m == null) {
            return;
        }
        byId[id] = null;
        Member moved = list[--size];
        list[m.index] = moved;
        moved.index = m.index;
        list[size] = null;
        m.index = -1;
        unbind(m);
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
        }
        forgetLastSender();
        bindings.unbound(m);
    }

    private void forgetLastSender() {
        lastSender = null;
        lastMember = null;
    }
}
