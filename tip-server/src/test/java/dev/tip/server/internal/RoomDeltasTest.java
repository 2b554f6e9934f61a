package dev.tip.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.core.protocol.ControlDecoder;
import dev.tip.core.protocol.ControlMessage;
import dev.tip.core.protocol.Extensions;
import dev.tip.core.protocol.JsonValue;
import dev.tip.core.protocol.RoomProtocol;
import dev.tip.server.LeaveReason;
import dev.tip.server.NicknamePolicy;
import dev.tip.server.Participant;
import dev.tip.server.RoomInfo;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Roster deltas and coalesced rosters, without sockets: the bytes a join costs, and deltas that,
 * applied in order, give the roster the server holds.
 */
class RoomDeltasTest {

    private static final Extensions ORIGINAL = Extensions.NONE;
    private static final Extensions DELTAS = Extensions.builder()
            .put("VERSION", 2)
            .put(
                    RoomProtocol.FEATURES,
                    new JsonValue.Arr(List.of(
                            JsonValue.of(RoomProtocol.FEATURE_ROOMS), JsonValue.of(RoomProtocol.FEATURE_DELTAS))))
            .build();
    private static final Extensions FULL_TIP2 =
            Extensions.builder().put("VERSION", 2).build();

    private final List<RoomEffect> out = new ArrayList<>();
    private long now;
    private long token = 1;

    private Room room(int maxUsers, long coalesceMillis) {
        Room r = new Room(
                maxUsers,
                NicknamePolicy.ORIGINAL_CLIENT,
                () -> token++,
                Room.Limits.NONE,
                () -> now,
                Tip2Negotiation.Voice.PCM_ONLY);
        r.rooms(new Rooms(List.of(new RoomsConfig.Room("a", null, 0), new RoomsConfig.Room("b", null, 0)), false));
        r.rosterCoalesce(coalesceMillis);
        return r;
    }

    private static InetSocketAddress remote(int i) {
        return new InetSocketAddress("127.0.0." + (1 + i % 200), 40000 + i);
    }

    /** Bytes queued to anyone by the effects so far, then forgotten. */
    private long sentBytes() {
        long n = 0;
        for (RoomEffect e : out) {
            if (e instanceof RoomEffect.Send s) {
                n += s.bytes().length;
            }
        }
        out.clear();
        return n;
    }

    private static String name(int i) {
        return "user" + i;
    }

    @Test
    void theNthJoinCostsLinearBytesWithDeltasAndQuadraticWithout() {
        int n = 400;
        long withDeltas = nthJoinBytes(n, DELTAS);
        long withFull = nthJoinBytes(n, FULL_TIP2);
        // the joiner's roster (about 20 bytes per member) plus one short delta to each other member
        assertThat(withDeltas).isLessThan(100L * n);
        // everyone's whole roster: about 20 bytes per member to each of n members
        assertThat(withFull).isGreaterThan(10L * n * n);
    }

    private long nthJoinBytes(int n, Extensions kind) {
        Room r = room(n + 1, 0);
        for (int i = 0; i < n - 1; i++) {
            r.nickname(-1, name(i), kind, remote(i), 0, out);
        }
        out.clear();
        r.nickname(-1, name(n - 1), kind, remote(n - 1), 0, out);
        return sentBytes();
    }

    /** One member's view, from what the server sends it: full rosters and deltas applied. */
    private static final class View {
        final ControlDecoder decoder = new ControlDecoder();
        List<Integer> ids = new ArrayList<>();
        Map<Integer, String> names = new HashMap<>();
        List<Integer> muted = new ArrayList<>();

        void feed(byte[] bytes) {
            decoder.feed(bytes, 0, bytes.length);
            ControlMessage m;
            while ((m = decoder.next()) != null) {
                if (m instanceof ControlMessage.SendNewUsers u) {
                    ids = new ArrayList<>(RoomProtocol.integers(u.extensions(), "IDS"));
                    names.clear();
                    for (int i = 0; i < ids.size(); i++) {
                        names.put(ids.get(i), u.users().get(i));
                    }
                    muted = new ArrayList<>(RoomProtocol.integers(u.extensions(), RoomProtocol.MUTED));
                } else if (m instanceof ControlMessage.Extended x && x.key() == RoomProtocol.KEY_ROSTER_DELTA) {
                    Extensions f = x.extensions();
                    int id = (int) f.getLong(RoomProtocol.ID).orElseThrow();
                    switch (f.getString(RoomProtocol.OP).orElseThrow()) {
                        case RoomProtocol.JOINED -> {
                            assertThat(ids).doesNotContain(id);
                            ids.add(id);
                            names.put(id, f.getString(RoomProtocol.NAME).orElseThrow());
                            if (f.getLong(RoomProtocol.MUTED).orElse(0) == 1) {
                                muted.add(id);
                            }
                        }
                        case RoomProtocol.LEFT -> {
                            assertThat(ids).contains(id);
                            ids.remove(Integer.valueOf(id));
                            names.remove(id);
                            muted.remove(Integer.valueOf(id));
                        }
                        case RoomProtocol.RENAMED ->
                            names.put(id, f.getString(RoomProtocol.NAME).orElseThrow());
                        case RoomProtocol.MUTE -> muted.add(id);
                        case RoomProtocol.UNMUTE -> muted.remove(Integer.valueOf(id));
                        default -> throw new AssertionError("unknown OP " + f);
                    }
                }
            }
        }

        List<String> roster() {
            List<String> r = new ArrayList<>();
            for (int id : ids) {
                r.add(id + " " + names.get(id) + (muted.contains(id) ? " muted" : ""));
            }
            return r;
        }
    }

    @Test
    void deltasAppliedInOrderReproduceTheRosterThroughJoinsLeavesRenamesMovesAndMutes() {
        Room r = room(64, 0);
        Map<Integer, View> views = new HashMap<>();
        Random random = new Random(14);
        List<Integer> live = new ArrayList<>();
        for (int step = 0; step < 600; step++) {
            int what = random.nextInt(6);
            if (live.size() < 3 || what == 0) {
                int i = step;
                int id = r.nickname(-1, name(i), random.nextBoolean() ? DELTAS : FULL_TIP2, remote(i), 0, out);
                if (id >= 0) {
                    live.add(id);
                    views.put(id, new View());
                }
            } else {
                int id = live.get(random.nextInt(live.size()));
                switch (what) {
                    case 1 -> {
                        r.leave(id, LeaveReason.QUIT, true, out);
                        live.remove(Integer.valueOf(id));
                    }
                    case 2 -> r.nickname(id, "renamed" + step, FULL_TIP2, null, 0, out);
                    case 3 -> r.move(id, random.nextBoolean() ? "a" : "b", null, false, out);
                    case 4 -> r.mute(id, random.nextBoolean(), out);
                    default -> r.move(id, "b", null, true, out);
                }
            }
            r.flushRoster(out);
            deliver(views);
            // after every step, each member's view is the roster of its room as the server holds it
            for (int id : live) {
                assertThat(views.get(id).roster())
                        .as("view of %d at step %d", id, step)
                        .isEqualTo(expected(r, id));
            }
            now += 10;
        }
    }

    private void deliver(Map<Integer, View> views) {
        for (RoomEffect e : out) {
            if (e instanceof RoomEffect.Send s && views.containsKey(s.id())) {
                views.get(s.id()).feed(s.bytes());
            }
        }
        out.clear();
    }

    private static List<String> expected(Room r, int id) {
        String room = null;
        for (Participant p : r.users()) {
            if (p.id() == id) {
                room = p.room();
            }
        }
        List<String> roster = new ArrayList<>();
        for (Participant p : roomOrder(r, room)) {
            roster.add(p.id() + " " + p.name() + (p.muted() ? " muted" : ""));
        }
        return roster;
    }

    /** The room's members in the order they entered it: what the full roster lists. */
    private static List<Participant> roomOrder(Room r, String room) {
        List<RoomEffect> scratch = new ArrayList<>();
        List<Participant> in = new ArrayList<>();
        for (Participant p : r.users()) {
            if (p.room().equals(room)) {
                in.add(p);
            }
        }
        // ask the room for its own order: a resync (JOIN_ROOM for the room it is in) gives the full roster
        Participant first = in.get(0);
        r.move(first.id(), room, null, false, scratch);
        for (RoomEffect e : scratch) {
            if (e instanceof RoomEffect.Send s) {
                ControlDecoder d = new ControlDecoder();
                d.feed(s.bytes(), 0, s.bytes().length);
                ControlMessage m = d.next();
                if (m instanceof ControlMessage.SendNewUsers u) {
                    List<Integer> ids = RoomProtocol.integers(u.extensions(), "IDS");
                    List<Participant> ordered = new ArrayList<>();
                    for (int id : ids) {
                        for (Participant p : in) {
                            if (p.id() == id) {
                                ordered.add(p);
                            }
                        }
                    }
                    assertThat(ordered).hasSameSizeAs(in);
                    return ordered;
                }
            }
        }
        throw new AssertionError("no roster for the resync");
    }

    @Test
    void fullRostersToOriginalMembersAreCoalescedToOnePerInterval() {
        Room r = room(100, 100);
        int watcher = r.nickname(-1, "watcher", ORIGINAL, remote(0), 0, out);
        r.flushRoster(out);
        out.clear();
        for (int i = 1; i <= 20; i++) {
            r.nickname(-1, name(i), ORIGINAL, remote(i), 0, out);
            r.flushRoster(out);
            now += 1;
        }
        long toWatcher = out.stream()
                .filter(e -> e instanceof RoomEffect.Send s && s.id() == watcher)
                .count();
        long coalesced = out.stream()
                .filter(e -> e instanceof RoomEffect.Counted c && c.what() == RoomEffect.Count.ROSTER_COALESCED)
                .mapToLong(e -> ((RoomEffect.Counted) e).times())
                .sum();
        out.clear();
        // the first change after a quiet interval goes at once, the next 19 wait for the interval
        assertThat(toWatcher).isEqualTo(1);
        assertThat(coalesced).isPositive();
        assertThat(r.untilFlush()).isBetween(0L, 100L);
        now += 100;
        r.flushRoster(out);
        List<RoomEffect.Send> last = new ArrayList<>();
        for (RoomEffect e : out) {
            if (e instanceof RoomEffect.Send s && s.id() == watcher) {
                last.add(s);
            }
        }
        assertThat(last).hasSize(1);
        ControlDecoder d = new ControlDecoder();
        d.feed(last.get(0).bytes(), 0, last.get(0).bytes().length);
        ControlMessage.SendNewUsers u = (ControlMessage.SendNewUsers) d.next();
        assertThat(u.users()).hasSize(21).startsWith("watcher").endsWith(name(20));
        // original bytes: no TIP/2 field
        assertThat(u.extensions().isEmpty()).isTrue();
        assertThat(r.untilFlush()).isEqualTo(-1);
        assertThat(r.roomInfo()).extracting(RoomInfo::members).containsExactly(21, 0);
    }
}
