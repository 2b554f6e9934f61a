package dev.tip.server.internal;

import dev.tip.core.protocol.RoomProtocol;
import dev.tip.server.RoomInfo;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;

/**
 * The server's rooms: the permanent ones it was configured with (the first is the default room,
 * where original clients and TIP/2 clients that name none land) and, when rooms are open, those
 * clients create by naming them (each disappears when its last member leaves, and its id is
 * reused). Each has a small integer id, which the relay keys its per-room recipient lists by.
 * Decides admissions: the room exists (or may be created), the password matches, the user limit
 * is not reached.
 *
 * <p>Threading: confined to the control thread; pure.
 */
final class Rooms {

    /** REASON when a room does not exist and clients may not create rooms. */
    static final String NO_SUCH_ROOM = "No such room";
    /** REASON when the password is missing or wrong. */
    static final String WRONG_PASSWORD = "Wrong room password";
    /** REASON when the room has as many members as its limit. */
    static final String ROOM_FULL = "Room full";

    /** One room now. */
    static final class State {
        final int id;
        final String name;
        final String password;
        final int maxUsers;
        final boolean permanent;
        int members;
        /** Which roster change it saw last (unique server-wide), so a member sent it is not sent it twice. */
        long rosterVersion;

        State(int id, String name, String password, int maxUsers, boolean permanent) {
            this.id = id;
            this.name = name;
            this.password = password;
            this.maxUsers = maxUsers;
            this.permanent = permanent;
        }

        RoomInfo info() {
            return new RoomInfo(name, members, maxUsers, password != null, permanent);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * The outcome of an admission: the room, or why not.
     *
     * @param room the room (null when refused)
     * @param refusal the REASON, or null when admitted
     */
    record Admission(State room, String refusal) {}

    private final LinkedHashMap<String, State> byName = new LinkedHashMap<>();
    private final BitSet ids = new BitSet();
    private final boolean open;
    private final State defaultRoom;

    /**
     * Creates the rooms.
     *
     * @param permanent the configured rooms, the default room first; empty for one default room
     *     named {@link dev.tip.server.Participant#DEFAULT_ROOM}
     * @param open whether clients may create rooms
     */
    Rooms(List<RoomsConfig.Room> permanent, boolean open) {
        this.open = open;
        List<RoomsConfig.Room> specs = permanent.isEmpty()
                ? List.of(new RoomsConfig.Room(dev.tip.server.Participant.DEFAULT_ROOM, null, 0))
                : permanent;
        for (RoomsConfig.Room s : specs) {
            if (byName.containsKey(s.name())) {
                throw new IllegalArgumentException("room " + s.name() + " is configured twice");
            }
            int id = ids.nextClearBit(0);
            ids.set(id);
            byName.put(s.name(), new State(id, s.name(), s.password(), s.maxUsers(), true));
        }
        this.defaultRoom = byName.values().iterator().next();
    }

    /** One room, the default, with nothing else allowed: what the original server has. */
    static Rooms single() {
        return new Rooms(List.of(), false);
    }

    /** The default room. */
    State defaultRoom() {
        return defaultRoom;
    }

    /** The room named {@code name}, or null. */
    State find(String name) {
        return byName.get(name);
    }

    /** Whether clients may create rooms. */
    boolean open() {
        return open;
    }

    /**
     * Decides whether a client may enter room {@code name} (null: the default room), creating
     * it when rooms are open and it does not exist yet (then {@code password}, if any, becomes
     * its password). A created room that nobody enters is removed again by {@link #release}.
     *
     * @param name the room's name, or null
     * @param password the password given, or null
     * @param force true for a moderator's move: no password or limit applies
     * @return the admission
     */
    Admission admit(String name, String password, boolean force) {
        State r = name == null ? defaultRoom : byName.get(name);
        if (r == null) {
            String problem = RoomProtocol.roomNameProblem(name);
            if (problem != null) {
                return new Admission(null, "Bad room name: " + problem);
            }
            if (!open && !force) {
                return new Admission(null, NO_SUCH_ROOM + ": " + name);
            }
            int id = ids.nextClearBit(0);
            ids.set(id);
            r = new State(id, name, password == null || password.isEmpty() ? null : password, 0, false);
            byName.put(name, r);
            return new Admission(r, null);
        }
        if (!force && r.password != null && !Objects.equals(r.password, password)) {
            return new Admission(null, WRONG_PASSWORD + ": " + r.name);
        }
        if (!force && r.maxUsers > 0 && r.members >= r.maxUsers) {
            return new Admission(null, ROOM_FULL + ": " + r.name);
        }
        return new Admission(r, null);
    }

    /** A member entered {@code r}. */
    void entered(State r) {
        r.members++;
    }

    /** A member left {@code r}; a created room left empty disappears. */
    void left(State r) {
        r.members--;
        release(r);
    }

    /** Removes {@code r} if it is a created room without members. */
    void release(State r) {
        if (!r.permanent && r.members == 0 && byName.get(r.name) == r) {
            byName.remove(r.name);
            ids.clear(r.id);
        }
    }

    /** Every room, permanent ones first in their configured order, then created ones. */
    List<RoomInfo> info() {
        List<RoomInfo> all = new ArrayList<>(byName.size());
        for (State r : byName.values()) {
            all.add(r.info());
        }
        return List.copyOf(all);
    }

    /** The rooms now, in the order of {@link #info()}. */
    Iterable<State> all() {
        return byName.values();
    }

    /** How many rooms exist now. */
    int size() {
        return byName.size();
    }
}
