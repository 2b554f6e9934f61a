package dev.tip.core.internal.client;

import dev.tip.core.RoomListing;
import dev.tip.core.User;
import dev.tip.core.protocol.ControlEncoder;
import dev.tip.core.protocol.ControlMessage;
import dev.tip.core.protocol.Extensions;
import dev.tip.core.protocol.RoomProtocol;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A client's view of the rooms (docs/protocol.md, "Rooms" and "Roster deltas"): the room it is
 * in, the features the server granted, the roster that ROSTER_DELTA messages apply to (the last
 * full roster and every delta since), the members the server mutes, and the answers it waits for
 * (ROOM after JOIN_ROOM, ROOMS after LIST_ROOMS). A delta that does not fit the roster (an id
 * joined twice, one that left without being there) means the client is out of step: it asks for a
 * full roster again by JOIN_ROOM for the room it is in.
 *
 * <p>Threading: thread-safe (one monitor, held only for state changes; never while sending or
 * calling out).
 */
public final class ClientRooms {

    /** What a server message about rooms did. */
    public sealed interface Change {}

    /** The roster changed by a delta. */
    public record RosterChanged(ServerMessages.Roster roster) implements Change {}

    /** The client is in room {@code room} now (after a move, or told so). */
    public record Entered(String room) implements Change {}

    /** A JOIN_ROOM was refused; the client stays in {@code room}. */
    public record Refused(String room, String asked, String reason) implements Change {}

    /** Nothing for the session. */
    public record Nothing() implements Change {}

    private static final Nothing NOTHING = new Nothing();

    private String room;
    private boolean roomsGranted;
    private final List<Integer> ids = new ArrayList<>();
    private final Map<Integer, String> names = new HashMap<>();
    private final Set<Integer> muted = new HashSet<>();
    private boolean based;
    private CompletableFuture<String> join;
    private String joinAsked;
    private CompletableFuture<List<RoomListing>> list;
    private volatile Consumer<byte[]> sender = b -> {};

    /**
     * Sets how a message reaches the server (the control connection).
     *
     * @param sender sends one encoded message
     */
    public void sender(Consumer<byte[]> sender) {
        this.sender = sender;
    }

    /**
     * SESSION arrived: the room joined and the features granted.
     *
     * @param session its fields
     */
    public synchronized void session(Extensions session) {
        room = session.getString(RoomProtocol.ROOM).orElse(null);
        roomsGranted = RoomProtocol.hasFeature(session, RoomProtocol.FEATURE_ROOMS);
    }

    /** @return the room the client is in, or null if the server never named one */
    public synchronized String room() {
        return room;
    }

    /** @return whether the server speaks rooms with this client */
    public synchronized boolean roomsGranted() {
        return roomsGranted;
    }

    /** @return the ids the server mutes, as of the last roster or delta */
    public synchronized Set<Integer> muted() {
        return Set.copyOf(muted);
    }

    /**
     * A full roster arrived: the base the next deltas apply to.
     *
     * @param u the roster
     * @param rosterIds its IDS, or null
     */
    public synchronized void full(ControlMessage.SendNewUsers u, int[] rosterIds) {
        ids.clear();
        names.clear();
        muted.clear();
        based = rosterIds != null;
        if (!based) {
            return;
        }
        for (int i = 0; i < rosterIds.length; i++) {
            ids.add(rosterIds[i]);
            names.put(rosterIds[i], u.users().get(i));
        }
        for (int id : RoomProtocol.integers(u.extensions(), RoomProtocol.MUTED)) {
            muted.add(id);
        }
    }

    /**
     * A message with a rooms KEY arrived.
     *
     * @param x the message
     * @return what it changes
     */
    public Change handle(ControlMessage.Extended x) {
        Change c;
        boolean resync = false;
        synchronized (this) {
            switch (x.key()) {
                case RoomProtocol.KEY_ROSTER_DELTA -> {
                    c = delta(x.extensions());
                    if (c == null) {
                        resync = room != null;
                        c = NOTHING;
                    }
                }
                case RoomProtocol.KEY_ROOM -> c = roomMessage(x.extensions());
                case RoomProtocol.KEY_ROOMS -> {
                    listed(x.extensions());
                    c = NOTHING;
                }
                default -> c = NOTHING;
            }
        }
        if (resync) {
            // out of step: JOIN_ROOM for the room it is in brings a full roster
            sender.accept(joinRoom(room(), null));
        }
        return c;
    }

    private Change delta(Extensions f) {
        if (!based) {
            return null;
        }
        String op = f.getString(RoomProtocol.OP).orElse("");
        long id = f.getLong(RoomProtocol.ID).orElse(-1);
        if (id < 0 || id > 0xFFFF) {
            return null;
        }
        int i = (int) id;
        switch (op) {
            case RoomProtocol.JOINED -> {
                String name = f.getString(RoomProtocol.NAME).orElse(null);
                if (ids.contains(i) || name == null) {
                    return null;
                }
                ids.add(i);
                names.put(i, name);
                if (f.getLong(RoomProtocol.MUTED).orElse(0) == 1) {
                    muted.add(i);
                }
            }
            case RoomProtocol.LEFT -> {
                if (!ids.remove(Integer.valueOf(i))) {
                    return null;
                }
                names.remove(i);
                muted.remove(i);
            }
            case RoomProtocol.RENAMED -> {
                String name = f.getString(RoomProtocol.NAME).orElse(null);
                if (!ids.contains(i) || name == null) {
                    return null;
                }
                names.put(i, name);
            }
            case RoomProtocol.MUTE -> muted.add(i);
            case RoomProtocol.UNMUTE -> muted.remove(i);
            default -> {
                // an operation of a newer server: nothing this client knows to change
                return NOTHING;
            }
        }
        List<String> n = new ArrayList<>(ids.size());
        List<User> members = new ArrayList<>(ids.size());
        int[] a = new int[ids.size()];
        for (int k = 0; k < a.length; k++) {
            a[k] = ids.get(k);
            n.add(names.get(a[k]));
            members.add(new User(a[k], names.get(a[k])));
        }
        return new RosterChanged(new ServerMessages.Roster(List.copyOf(n), List.copyOf(members), a));
    }

    private Change roomMessage(Extensions f) {
        String now = f.getString(RoomProtocol.ROOM).orElse(room);
        String reason = f.getString(RoomProtocol.REASON).orElse(null);
        String asked = joinAsked;
        CompletableFuture<String> waiting = join;
        if (reason == null || waiting != null) {
            join = null;
            joinAsked = null;
        }
        if (reason != null) {
            if (waiting != null) {
                waiting.complete(reason);
            }
            return new Refused(now, asked, reason);
        }
        boolean moved = now != null && !now.equals(room);
        room = now;
        if (waiting != null) {
            waiting.complete(null);
        }
        return moved ? new Entered(now) : NOTHING;
    }

    private void listed(Extensions f) {
        List<String> n = RoomProtocol.strings(f, RoomProtocol.ROOMS);
        List<Integer> counts = RoomProtocol.integers(f, RoomProtocol.COUNTS);
        List<Integer> limits = RoomProtocol.integers(f, RoomProtocol.LIMITS);
        List<Integer> locked = RoomProtocol.integers(f, RoomProtocol.LOCKED);
        List<RoomListing> all = new ArrayList<>(n.size());
        for (int i = 0; i < n.size(); i++) {
            all.add(new RoomListing(
                    n.get(i),
                    Math.max(0, i < counts.size() ? counts.get(i) : 0),
                    Math.max(0, i < limits.size() ? limits.get(i) : 0),
                    i < locked.size() && locked.get(i) == 1));
        }
        if (list != null) {
            list.complete(List.copyOf(all));
            list = null;
        }
    }

    /**
     * Asks to move to {@code name}: JOIN_ROOM goes out; the future completes with null once
     * ROOM says the client is there, or with the server's reason.
     *
     * @param name the room
     * @param password its password, or null
     * @return the answer to come
     */
    public CompletableFuture<String> join(String name, String password) {
        CompletableFuture<String> f = new CompletableFuture<>();
        synchronized (this) {
            if (join != null) {
                join.complete("another join was asked for");
            }
            join = f;
            joinAsked = name;
        }
        sender.accept(joinRoom(name, password));
        return f;
    }

    /**
     * Asks for the rooms: LIST_ROOMS goes out; the future completes when ROOMS arrives.
     *
     * @return the answer to come
     */
    public CompletableFuture<List<RoomListing>> list() {
        CompletableFuture<List<RoomListing>> f;
        synchronized (this) {
            if (list == null) {
                list = new CompletableFuture<>();
            }
            f = list;
        }
        sender.accept(encoder().encode(new ControlMessage.Extended(RoomProtocol.KEY_LIST_ROOMS, Extensions.NONE)));
        return f;
    }

    private byte[] joinRoom(String name, String password) {
        Extensions.Builder b = Extensions.builder().put(RoomProtocol.ROOM, name);
        if (password != null) {
            b.put(RoomProtocol.PASSWORD, password);
        }
        return encoder().encode(new ControlMessage.Extended(RoomProtocol.KEY_JOIN_ROOM, b.build()));
    }

    private ControlEncoder encoder() {
        // one encoder per call: callers on different threads
        return new ControlEncoder();
    }
}
