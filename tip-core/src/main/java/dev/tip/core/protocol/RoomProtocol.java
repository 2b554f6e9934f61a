package dev.tip.core.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * The TIP/2 rooms and roster-delta vocabulary (docs/protocol.md, "Rooms" and "Roster deltas"):
 * the KEY values of the messages that only TIP/2 peers exchange, the field names, and the small
 * helpers that read them from a {@link ControlMessage.Extended}. Original peers never see any of
 * it: they ignore unknown KEYs, and a server sends these only to clients that asked for them.
 */
public final class RoomProtocol {

    /** JOIN_ROOM, client to server: {@code {"KEY": 20, "ROOM": "music", "PASSWORD": "pw"}}. */
    public static final int KEY_JOIN_ROOM = 20;
    /** ROOM, server to client: the room the client is in now, and why a request failed. */
    public static final int KEY_ROOM = 21;
    /** LIST_ROOMS, client to server: {@code {"KEY": 22}}. */
    public static final int KEY_LIST_ROOMS = 22;
    /** ROOMS, server to client: the rooms with their member counts. */
    public static final int KEY_ROOMS = 23;
    /** ROSTER_DELTA, server to client: one change to the room's roster. */
    public static final int KEY_ROSTER_DELTA = 24;

    /** Field: a room's name (SEND_NICKNAME, SESSION, JOIN_ROOM, ROOM). */
    public static final String ROOM = "ROOM";
    /** Field: a room's password (SEND_NICKNAME, JOIN_ROOM). */
    public static final String PASSWORD = "PASSWORD";
    /** Field: why a request was refused (ROOM). */
    public static final String REASON = "REASON";
    /** Field: the features a client speaks (SEND_NICKNAME) or the server grants (SESSION). */
    public static final String FEATURES = "FEATURES";
    /** Feature: the client understands JOIN_ROOM, ROOM, LIST_ROOMS, ROOMS. */
    public static final String FEATURE_ROOMS = "rooms";
    /** Feature: the client applies ROSTER_DELTA after one full roster. */
    public static final String FEATURE_DELTAS = "deltas";
    /** Field: the room names (ROOMS). */
    public static final String ROOMS = "ROOMS";
    /** Field: the member counts, in the order of ROOMS (ROOMS). */
    public static final String COUNTS = "COUNTS";
    /** Field: the user limits, 0 for none, in the order of ROOMS (ROOMS). */
    public static final String LIMITS = "LIMITS";
    /** Field: 1 for a room with a password, else 0, in the order of ROOMS (ROOMS). */
    public static final String LOCKED = "LOCKED";
    /** Field: the ids of the members the server mutes (SEND_NEW_USERS to TIP/2 peers). */
    public static final String MUTED = "MUTED";
    /** Field: the delta's operation (ROSTER_DELTA). */
    public static final String OP = "OP";
    /** Field: the member's session id (ROSTER_DELTA). */
    public static final String ID = "ID";
    /** Field: the member's nickname (ROSTER_DELTA JOINED, RENAMED). */
    public static final String NAME = "NAME";
    /** Field: the room a member left for (ROSTER_DELTA LEFT, when it moved). */
    public static final String TO = "TO";

    /** ROSTER_DELTA operation: a member joined (NAME, ID, and MUTED 1 if muted). */
    public static final String JOINED = "JOINED";
    /** ROSTER_DELTA operation: a member left (ID, and TO if it moved to another room). */
    public static final String LEFT = "LEFT";
    /** ROSTER_DELTA operation: a member renamed (ID, NAME). */
    public static final String RENAMED = "RENAMED";
    /** ROSTER_DELTA operation: the server muted a member (ID). */
    public static final String MUTE = "MUTED";
    /** ROSTER_DELTA operation: the server unmuted a member (ID). */
    public static final String UNMUTE = "UNMUTED";

    /** Longest room name: {@value}. */
    public static final int MAX_ROOM_NAME_LENGTH = 32;

    private RoomProtocol() {}

    /**
     * True for a KEY this vocabulary defines (decoded as {@link ControlMessage.Extended}).
     *
     * @param key a KEY value
     * @return whether it is one of {@link #KEY_JOIN_ROOM}..{@link #KEY_ROSTER_DELTA}
     */
    public static boolean isRoomKey(int key) {
        return key >= KEY_JOIN_ROOM && key <= KEY_ROSTER_DELTA;
    }

    /**
     * What is wrong with a room name, or null if nothing: 1..32 characters, none of them a
     * control character, not blank.
     *
     * @param name the name
     * @return the problem, or null
     */
    public static String roomNameProblem(String name) {
        if (name == null || name.isBlank()) {
            return "a room name must not be empty";
        }
        if (name.length() > MAX_ROOM_NAME_LENGTH) {
            return "a room name must be at most " + MAX_ROOM_NAME_LENGTH + " characters";
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                return "a room name must not contain control characters";
            }
        }
        return null;
    }

    /**
     * The strings of an array field, or an empty list when the field is absent or not an array
     * (elements that are not strings are skipped).
     *
     * @param extensions the fields
     * @param name the field
     * @return the strings
     */
    public static List<String> strings(Extensions extensions, String name) {
        List<String> out = new ArrayList<>();
        if (extensions.get(name).orElse(null) instanceof JsonValue.Arr a) {
            for (JsonValue v : a.values()) {
                if (v instanceof JsonValue.Str s) {
                    out.add(s.value());
                }
            }
        }
        return out;
    }

    /**
     * The integers of an array field (elements that are not integers read as -1), or an empty
     * list when absent.
     *
     * @param extensions the fields
     * @param name the field
     * @return the integers
     */
    public static List<Integer> integers(Extensions extensions, String name) {
        List<Integer> out = new ArrayList<>();
        if (extensions.get(name).orElse(null) instanceof JsonValue.Arr a) {
            for (JsonValue v : a.values()) {
                int n = -1;
                if (v instanceof JsonValue.Num num) {
                    try {
                        n = num.value().intValueExact();
                    } catch (ArithmeticException e) {
                        n = -1;
                    }
                }
                out.add(n);
            }
        }
        return out;
    }

    /**
     * True if the features of a SEND_NICKNAME or SESSION name {@code feature}.
     *
     * @param extensions the message's fields
     * @param feature the feature
     * @return whether it is listed
     */
    public static boolean hasFeature(Extensions extensions, String feature) {
        return strings(extensions, FEATURES).contains(feature);
    }
}
