package dev.tip.server.internal;

import dev.tip.core.protocol.ControlEncoder;
import dev.tip.core.protocol.ControlMessage;
import dev.tip.core.protocol.Extensions;
import dev.tip.core.protocol.JsonValue;
import dev.tip.core.protocol.RoomProtocol;
import dev.tip.core.protocol.TipProtocol;
import dev.tip.core.voice.AudioFormat;
import dev.tip.server.LeaveReason;
import dev.tip.server.NicknamePolicy;
import dev.tip.server.Participant;
import dev.tip.server.RoomInfo;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The room's rules, as the original server applies them, and the TIP/2 negotiation: who is a
 * member, the smallest free session id, the nickname policy and the user limit, the roster bytes
 * for each dialect (sent whole to everyone on every join, rename and leave), the SESSION that
 * follows a join, and which voice address each member has. Each event returns its
 * {@link RoomEffect}s in the order they must happen.
 *
 * <p>A client whose first SEND_NICKNAME carries {@code VERSION} 2 or more is a TIP/2 member: its
 * SESSION carries VERSION, a random TOKEN and the room's RATE and FRAME, its rosters carry IDS,
 * and its voice address comes from the relay (a HELLO with that token), never from CLIENT_PORT.
 * Every other member gets exactly the original bytes.
 *
 * <p>Limits on what one member costs the others ({@link Limits}): a rename to the member's
 * current name is nothing; renames and CLIENT_PORT changes are rate-limited per member (the excess
 * waits, the latest one winning, and happens in {@link #tick} once the member's bucket has a
 * token again); the roster a rename causes is not sent at once but by {@link #flushRoster}, once
 * per control loop turn however many renames the turn read; a CLIENT_PORT that makes the
 * server's own address, or another member's voice address, a member's voice address is ignored
 * and counted; at most so many members per IP address.
 *
 * <p>Rooms ({@link Rooms}): every member is in one room, and sees only that room's roster and
 * hears only its voice. An original member (who cannot name one) and a TIP/2 member that names
 * none join the default room; a TIP/2 member may name a room (and its password) in SEND_NICKNAME
 * and move with JOIN_ROOM; an operator may move anyone ({@link #move}) and mute anyone
 * ({@link #mute}). A {@link Gate} may refuse a join or a move with a reason the client sees.
 *
 * <p>Threading: confined to the control thread. Pure: no sockets, no threads; time comes from
 * the injected clock.
 */
final class Room {

    /**
     * Decides whether a join or a move may happen (bans, the application's rules).
     */
    interface Gate {
        /** Lets everyone in. */
        Gate OPEN = new Gate() {};

        /**
         * A client asks to join.
         *
         * @param name its nickname
         * @param remote its TCP address
         * @param room the room it asked for (the default room's name if it named none)
         * @return the REASON it is refused with, or null to let it in
         */
        default String refuseJoin(String name, InetSocketAddress remote, String room) {
            return null;
        }

        /**
         * A member asks to move to another room.
         *
         * @param user the member now
         * @param room the room it asked for
         * @return the REASON it is refused with, or null to let it move
         */
        default String refuseMove(Participant user, String room) {
            return null;
        }
    }

    /** REASON of the DISCONNECT a client gets when its address has all the seats it may have. */
    static final String ADDRESS_FULL = TipProtocol.SERVER_FULL + ": too many users from your address";

    /**
     * The room's limits per member and per address.
     *
     * @param renamesPerMinute renames a member may make per minute (and at once)
     * @param clientPortChangesPerMinute CLIENT_PORT changes a member may make per minute (and at once)
     * @param maxUsersPerAddress most members with the same IP address
     * @param serverAddress true for an address that is the server's own UDP socket
     */
    record Limits(
            int renamesPerMinute,
            int clientPortChangesPerMinute,
            int maxUsersPerAddress,
            Predicate<InetSocketAddress> serverAddress) {

        /** Generous limits, for tests of the other rules. */
        static final Limits NONE = new Limits(1_000_000, 1_000_000, Integer.MAX_VALUE, a -> false);
    }

    /** The dialect this server speaks besides the original. */
    static final int TIP2_VERSION = TipProtocol.TIP2_VERSION;
    /** The format of every room: what original peers send. */
    static final AudioFormat ROOM_FORMAT = AudioFormat.ORIGINAL;
    /** REASON of the DISCONNECT a client gets when every session id is taken. */
    static final String FULL = TipProtocol.SERVER_FULL;

    /** One member. */
    private static final class Seat {
        final int id;
        /** Its control connection's address (a resumed session's new one). */
        InetSocketAddress remote;

        final boolean tip2;
        final long token;
        /** TIP/2: the codec it sends in. */
        final String codec;

        final TokenBucket renames;
        final TokenBucket portChanges;
        String name;
        int voicePort;
        InetSocketAddress voice;
        /** A rename that waits for a token, or null. */
        String pendingName;
        /** A CLIENT_PORT change waits for a token. */
        boolean portPending;
        /** The room it is in. */
        Rooms.State room;
        /** Muted by the server. */
        boolean muted;
        /** A virtual member (the application's speaker): no connection, no voice address. */
        boolean virtual;
        /** TIP/2 with the "rooms" feature: gets ROOM messages. */
        boolean roomsFeature;
        /** TIP/2 with the "deltas" feature: gets ROSTER_DELTA after one full roster. */
        boolean deltas;
        /** TIP/2 with the "loss" feature: reports its loss, gets LOSS_PROTECT. */
        boolean lossFeedback;
        /** The loss it last reported, percent. */
        int reportedLoss;
        /** The LOSS_PROTECT it was last sent, percent. */
        int sentProtection;
        /** The roster version of the last full roster it was sent (see {@link Rooms.State#rosterVersion}). */
        long sentVersion = -1;

        Seat(
                int id,
                String name,
                InetSocketAddress remote,
                boolean tip2,
                long token,
                String codec,
                int voicePort,
                Limits limits) {
            this.id = id;
            this.codec = codec;
            this.name = name;
            this.remote = remote;
            this.tip2 = tip2;
            this.token = token;
            this.voicePort = voicePort;
            this.renames = TokenBucket.perMinute(limits.renamesPerMinute());
            this.portChanges = TokenBucket.perMinute(limits.clientPortChangesPerMinute());
        }

        Participant user() {
            return new Participant(id, name, remote, voice, room.name, muted);
        }
    }

    private final Seat[] byId;
    private final ArrayList<Seat> members = new ArrayList<>();
    private final NicknamePolicy policy;
    private final LongSupplier tokens;
    private final ControlEncoder encoder = new ControlEncoder();
    private final Limits limits;
    private final LongSupplier millis;
    private final Tip2Negotiation.Voice voice;
    private final HashMap<InetAddress, Integer> seatsByAddress = new HashMap<>();
    private List<Participant> users = List.of();
    /**
     * Rooms whose full-roster members (original, TIP/2 without deltas) wait for a roster, and
     * whether the original ones need it too (a mute changes only TIP/2 rosters).
     */
    private final java.util.LinkedHashMap<Rooms.State, Boolean> fullPending = new java.util.LinkedHashMap<>();
    /** The shortest time between two coalesced rosters; 0: join, leave, move and mute send at once. */
    private long coalesceMillis;

    private long lastFlush = Long.MIN_VALUE / 2;
    /** Counts roster changes server-wide: each room's latest is its {@link Rooms.State#rosterVersion}. */
    private long rosterVersions;
    /** Each room's members, in the order they entered it. */
    private final IdentityHashMap<Rooms.State, ArrayList<Seat>> seatsIn = new IdentityHashMap<>();

    private Rooms rooms = Rooms.single();
    private Gate gate = Gate.OPEN;
    private int pendingChanges;

    /**
     * Creates an empty room with no limits to speak of and a clock that stands still.
     *
     * @param maxUsers most members; session ids are 0..maxUsers-1
     * @param policy decides which nicknames are accepted
     * @param tokens source of TIP/2 voice tokens (secure random in the server)
     */
    Room(int maxUsers, NicknamePolicy policy, LongSupplier tokens) {
        this(maxUsers, policy, tokens, Limits.NONE, () -> 0, Tip2Negotiation.Voice.PCM_ONLY);
    }

    /**
     * Creates an empty room.
     *
     * @param maxUsers most members; session ids are 0..maxUsers-1
     * @param policy decides which nicknames are accepted
     * @param tokens source of TIP/2 voice tokens (secure random in the server)
     * @param limits the limits per member and per address
     * @param millis the time in milliseconds, for the rate limits
     * @param voice the codecs and the bitrate offered to TIP/2 senders
     */
    Room(
            int maxUsers,
            NicknamePolicy policy,
            LongSupplier tokens,
            Limits limits,
            LongSupplier millis,
            Tip2Negotiation.Voice voice) {
        this.voice = voice;
        this.byId = new Seat[maxUsers];
        this.policy = policy;
        this.tokens = tokens;
        this.limits = limits;
        this.millis = millis;
    }

    /**
     * Sets the rooms; before any join.
     *
     * @param rooms the server's rooms
     */
    void rooms(Rooms rooms) {
        this.rooms = rooms;
    }

    /**
     * Sets who decides on joins and moves; before any join.
     *
     * @param gate the gate
     */
    void gate(Gate gate) {
        this.gate = gate;
    }

    /**
     * Sets the shortest time between two full rosters to a member that needs full rosters; 0
     * (the default) sends them on every join, leave, move and mute, and renames' once per turn.
     *
     * @param millis the interval, milliseconds
     */
    void rosterCoalesce(long millis) {
        this.coalesceMillis = millis;
    }

    /**
     * How long until {@link #flushRoster} has a coalesced roster to send.
     *
     * @return milliseconds (0: now), or -1 if none waits
     */
    long untilFlush() {
        if (fullPending.isEmpty()) {
            return -1;
        }
        return Math.max(0, lastFlush + coalesceMillis - millis.getAsLong());
    }

    /** The rooms now, permanent ones first. */
    List<RoomInfo> roomInfo() {
        return rooms.info();
    }

    /** The members, in join order, as of now. Immutable. */
    List<Participant> users() {
        return users;
    }

    /** True if {@code id} is a member's session id. */
    boolean isMember(int id) {
        return id >= 0 && id < byId.length && byId[id] != null;
    }

    /**
     * A client sent SEND_NICKNAME: a join if it is not a member yet, else a rename. A name the
     * policy rejects is refused (and a member that sent it leaves first).
     *
     * @param id the client's session id, or -1 before it joined
     * @param name the NAME
     * @param extensions the message's other fields (VERSION)
     * @param remote the client's TCP address
     * @param voicePort the CLIENT_PORT it announced before joining, or 0
     * @param out where the effects go
     * @return the client's session id now, or -1 if it is refused
     */
    int nickname(
            int id, String name, Extensions extensions, InetSocketAddress remote, int voicePort, List<RoomEffect> out) {
        Seat self = id >= 0 ? byId[id] : null;
        if (self != null && name.equals(self.pendingName == null ? self.name : self.pendingName)) {
            // a rename to the name it has (or will have): nothing changes, nobody is told
            out.add(new RoomEffect.Counted(RoomEffect.Count.RENAME_UNCHANGED));
            return id;
        }
        List<String> inUse = new ArrayList<>(members.size());
        for (Seat s : members) {
            if (s != self) {
                inUse.add(s.name);
            }
        }
        String rejection = policy.rejectionReason(name, inUse);
        if (rejection != null) {
            if (self != null) {
                leave(id, LeaveReason.PROTOCOL_ERROR, true, out);
            }
            out.add(new RoomEffect.Refuse(rejection, false));
            return -1;
        }
        if (self != null) {
            if (name.equals(self.name)) {
                // back to the name it has: the waiting rename is void
                setPendingName(self, null);
            } else if (self.renames.tryTake(millis.getAsLong())) {
                setPendingName(self, null);
                rename(self, name, out);
            } else {
                // the latest rename wins once the member has a token again (tick)
                setPendingName(self, name);
                out.add(new RoomEffect.Counted(RoomEffect.Count.RENAME_LIMITED));
            }
            return id;
        }
        Tip2Negotiation.Offer offer = Tip2Negotiation.offer(voice, extensions);
        if (offer.refusal() != null) {
            out.add(new RoomEffect.Refuse(offer.refusal(), offer.refusalIsPolicy()));
            return -1;
        }
        boolean tip2 = offer.tip2();
        int free = freeId();
        if (free < 0) {
            out.add(new RoomEffect.Refuse(FULL, true));
            return -1;
        }
        InetAddress ip = remote.getAddress();
        if (seatsByAddress.getOrDefault(ip, 0) >= limits.maxUsersPerAddress()) {
            out.add(new RoomEffect.Refuse(ADDRESS_FULL, true));
            return -1;
        }
        // only a TIP/2 client can name a room; an original one lands in the default room
        String wanted = tip2 ? extensions.getString(RoomProtocol.ROOM).orElse(null) : null;
        String password = tip2 ? extensions.getString(RoomProtocol.PASSWORD).orElse(null) : null;
        String refusal = gate.refuseJoin(name, remote, wanted == null ? rooms.defaultRoom().name : wanted);
        if (refusal != null) {
            out.add(new RoomEffect.Refuse(refusal, true));
            return -1;
        }
        Rooms.Admission admission = rooms.admit(wanted, password, false);
        if (admission.refusal() != null) {
            out.add(new RoomEffect.Refuse(admission.refusal(), true));
            return -1;
        }
        String codec = offer.codec();
        Seat s = new Seat(free, name, remote, tip2, tip2 ? tokens.getAsLong() : 0, codec, voicePort, limits);
        s.roomsFeature = tip2 && RoomProtocol.hasFeature(extensions, RoomProtocol.FEATURE_ROOMS);
        s.deltas = tip2 && RoomProtocol.hasFeature(extensions, RoomProtocol.FEATURE_DELTAS);
        s.lossFeedback = tip2 && RoomProtocol.hasFeature(extensions, TipProtocol.FEATURE_LOSS);
        byId[free] = s;
        members.add(s);
        enter(s, admission.room());
        seatsByAddress.merge(ip, 1, Integer::sum);
        changed();
        out.add(new RoomEffect.Joined(s.user()));
        changedRoster(s.room, s, delta(RoomProtocol.JOINED, s, null), true, true, true, out);
        if (tip2) {
            // registered before SESSION goes out, so the relay knows the token when HELLO comes
            out.add(new RoomEffect.RegisterTip2(free, s.token, codec, offer.keys(), s.room.id, false));
            if (offer.resumeSecret() != null) {
                out.add(new RoomEffect.Resumable(free, s.token, offer.resumeSecret()));
            }
            ControlMessage.Session session = Tip2Negotiation.session(free, s.token, offer, voice.bitrate());
            // ROOM and FEATURES only for a client that speaks rooms: an older one gets the same bytes as before
            boolean speaksRooms = s.roomsFeature || s.deltas || s.lossFeedback || wanted != null;
            out.add(new RoomEffect.Send(free, encoder.encode(speaksRooms ? withRoom(session, s) : session)));
        } else {
            out.add(new RoomEffect.Send(free, encoder.encode(new ControlMessage.Session(free))));
            originalVoice(s, out);
        }
        return free;
    }

    /**
     * Member {@code id} sent CLIENT_PORT: an original member's voice address is (TCP address,
     * port); a TIP/2 member's port is recorded only.
     *
     * @param id the session id
     * @param port the PORT
     * @param out where the effects go
     */
    void clientPort(int id, int port, List<RoomEffect> out) {
        Seat s = byId[id];
        s.voicePort = port;
        if (s.tip2) {
            return;
        }
        if (port == 0 || new InetSocketAddress(s.remote.getAddress(), port).equals(s.voice)) {
            setPortPending(s, false);
        } else if (s.portChanges.tryTake(millis.getAsLong())) {
            setPortPending(s, false);
            originalVoice(s, out);
        } else {
            // the latest port wins once the member has a token again (tick)
            setPortPending(s, true);
            out.add(new RoomEffect.Counted(RoomEffect.Count.CLIENT_PORT_LIMITED));
        }
    }

    /**
     * Applies the renames and CLIENT_PORT changes that waited for a token and now have one.
     * Called periodically; cheap when nothing waits.
     *
     * @param out where the effects go
     */
    void tick(List<RoomEffect> out) {
        if (pendingChanges == 0) {
            return;
        }
        long now = millis.getAsLong();
        for (Seat s : members) {
            if (s.pendingName != null && s.renames.tryTake(now)) {
                String name = s.pendingName;
                setPendingName(s, null);
                List<String> inUse = new ArrayList<>(members.size());
                for (Seat o : members) {
                    if (o != s) {
                        inUse.add(o.name);
                    }
                }
                if (policy.rejectionReason(name, inUse) == null) {
                    rename(s, name, out);
                } else {
                    // allowed when it came, no longer (another took the name): dropped
                    out.add(new RoomEffect.Counted(RoomEffect.Count.RENAME_LIMITED));
                }
            }
            if (s.portPending && s.portChanges.tryTake(now)) {
                setPortPending(s, false);
                originalVoice(s, out);
            }
        }
    }

    /**
     * Sends the full rosters that wait, if the coalescing interval since the last ones has
     * passed: at most one roster per room and interval however many changes came. The control
     * loop calls it once per turn.
     *
     * @param out where the effects go
     */
    void flushRoster(List<RoomEffect> out) {
        if (fullPending.isEmpty()) {
            return;
        }
        long now = millis.getAsLong();
        if (coalesceMillis > 0 && now - lastFlush < coalesceMillis) {
            return;
        }
        lastFlush = now;
        for (var e : fullPending.entrySet()) {
            fullRoster(e.getKey(), e.getValue(), out);
        }
        fullPending.clear();
    }

    private void rename(Seat s, String name, List<RoomEffect> out) {
        s.name = name;
        changed();
        changedRoster(s.room, null, delta(RoomProtocol.RENAMED, s, null), true, false, false, out);
    }

    private void setPendingName(Seat s, String name) {
        pendingChanges += (name != null ? 1 : 0) - (s.pendingName != null ? 1 : 0);
        s.pendingName = name;
    }

    private void setPortPending(Seat s, boolean pending) {
        pendingChanges += (pending ? 1 : 0) - (s.portPending ? 1 : 0);
        s.portPending = pending;
    }

    private void originalVoice(Seat s, List<RoomEffect> out) {
        if (s.voicePort == 0) {
            return;
        }
        InetSocketAddress voice = new InetSocketAddress(s.remote.getAddress(), s.voicePort);
        if (voice.equals(s.voice)) {
            return;
        }
        if (limits.serverAddress().test(voice) || heldByAnother(s, voice)) {
            // the server's own socket would relay to itself; another's address would steal its voice
            out.add(new RoomEffect.Counted(RoomEffect.Count.CLIENT_PORT_REFUSED));
            return;
        }
        s.voice = voice;
        changed();
        out.add(new RoomEffect.RegisterVoice(s.id, voice, s.room.id, s.muted));
        out.add(new RoomEffect.VoiceRegistered(s.user(), voice));
    }

    /**
     * The relay learned a TIP/2 member's voice address from a HELLO or KEEPALIVE with
     * {@code token}. Ignored if the id was freed or reused since.
     *
     * @param id the session id
     * @param token the token the HELLO carried
     * @param address the address it came from
     * @param out where the effects go
     */
    void voiceLearned(int id, long token, InetSocketAddress address, List<RoomEffect> out) {
        Seat s = id >= 0 && id < byId.length ? byId[id] : null;
        if (s == null || !s.tip2 || s.token != token || address.equals(s.voice)) {
            return;
        }
        s.voice = address;
        changed();
        out.add(new RoomEffect.VoiceRegistered(s.user(), address));
    }

    /**
     * Member {@code id} leaves (no-op for a non-member): its id is free again.
     *
     * @param id the session id
     * @param reason why
     * @param broadcast whether the others get the new roster (not while the server stops)
     * @param out where the effects go
     */
    void leave(int id, LeaveReason reason, boolean broadcast, List<RoomEffect> out) {
        Seat s = id >= 0 && id < byId.length ? byId[id] : null;
        if (s == null) {
            return;
        }
        members.remove(s);
        byId[id] = null;
        Rooms.State room = s.room;
        exit(s);
        setPendingName(s, null);
        setPortPending(s, false);
        if (!s.virtual) {
            seatsByAddress.computeIfPresent(s.remote.getAddress(), (k, v) -> v == 1 ? null : v - 1);
        }
        changed();
        if (s.voice != null || s.tip2 || s.virtual) {
            out.add(new RoomEffect.UnregisterVoice(id));
        }
        out.add(new RoomEffect.Left(s.user(), reason));
        if (broadcast) {
            changedRoster(room, null, delta(RoomProtocol.LEFT, s, null), true, true, false, out);
        }
        if (s.reportedLoss > 0) {
            protect(room, out);
        }
    }

    /**
     * TIP/2 member {@code id} resumed its session on a new control connection, maybe from another
     * address (a network change): the member now counts against that address's seats, and its
     * {@link Participant#controlAddress()} says where it is.
     *
     * @param id the session id
     * @param remote the new connection's remote address
     */
    void reconnected(int id, InetSocketAddress remote) {
        Seat s = id >= 0 && id < byId.length ? byId[id] : null;
        if (s == null || s.virtual || remote.equals(s.remote)) {
            return;
        }
        if (!remote.getAddress().equals(s.remote.getAddress())) {
            seatsByAddress.computeIfPresent(s.remote.getAddress(), (k, v) -> v == 1 ? null : v - 1);
            seatsByAddress.merge(remote.getAddress(), 1, Integer::sum);
        }
        s.remote = remote;
        changed();
    }

    /**
     * LOSS_REPORT from TIP/2 member {@code id}: the share of voice packets it lost lately. Each
     * member of its room with loss feedback is told (LOSS_PROTECT) the worst loss the others
     * report, when that changed: what its encoder should protect its packets against.
     *
     * @param id the session id
     * @param percent the loss, clamped to 0..100
     * @param out where the effects go
     */
    void lossReport(int id, long percent, List<RoomEffect> out) {
        Seat s = id >= 0 && id < byId.length ? byId[id] : null;
        if (s == null || !s.lossFeedback) {
            return;
        }
        int p = (int) Math.max(0, Math.min(100, percent));
        if (p != s.reportedLoss) {
            s.reportedLoss = p;
            protect(s.room, out);
        }
    }

    /** LOSS_PROTECT to each member of {@code room} whose listeners' worst loss changed. */
    private void protect(Rooms.State room, List<RoomEffect> out) {
        List<Seat> in = seatsIn.get(room);
        if (in == null) {
            return;
        }
        // the worst and the second worst report: a member's own report never counts for it
        int worst = 0;
        int second = 0;
        Seat worstSeat = null;
        for (Seat o : in) {
            if (o.reportedLoss > worst) {
                second = worst;
                worst = o.reportedLoss;
                worstSeat = o;
            } else if (o.reportedLoss > second) {
                second = o.reportedLoss;
            }
        }
        for (Seat o : in) {
            if (!o.lossFeedback) {
                continue;
            }
            int p = o == worstSeat ? second : worst;
            if (p != o.sentProtection) {
                o.sentProtection = p;
                out.add(new RoomEffect.Send(
                        o.id,
                        encoder.encode(new ControlMessage.Extended(
                                TipProtocol.KEY_LOSS_PROTECT,
                                Extensions.builder().put(TipProtocol.LOSS, p).build()))));
            }
        }
    }

    /**
     * The roster of its room as member {@code id} gets it now, for a member that resumed its
     * session and may have missed changes (a member with deltas takes it as its full roster).
     *
     * @param id the session id
     * @return the SEND_NEW_USERS bytes
     */
    byte[] rosterFor(int id) {
        Seat s = byId[id];
        s.sentVersion = s.room.rosterVersion;
        return rosterBytes(s.room)[s.tip2 ? 1 : 0];
    }

    /**
     * Adds a virtual member (an application's speaker) to room {@code roomName}: it has a session
     * id and a place in the roster like anyone, no connection, and its voice is what the
     * application injects (relayed as an original member's).
     *
     * @param name its nickname (not checked against the policy)
     * @param roomName an existing room
     * @param out where the effects go
     * @return its session id, or -1 if the server is full or there is no such room
     */
    int addVirtual(String name, String roomName, List<RoomEffect> out) {
        Rooms.State room = rooms.find(roomName);
        int free = freeId();
        if (room == null || free < 0) {
            return -1;
        }
        Seat s = new Seat(
                free, name, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), false, 0, "pcm", 0, limits);
        s.virtual = true;
        byId[free] = s;
        members.add(s);
        enter(s, room);
        changed();
        out.add(new RoomEffect.Joined(s.user()));
        out.add(new RoomEffect.RegisterVoice(free, null, room.id, false));
        changedRoster(room, s, delta(RoomProtocol.JOINED, s, null), true, true, false, out);
        return free;
    }

    /** True if {@code id} is a virtual member. */
    boolean isVirtual(int id) {
        return isMember(id) && byId[id].virtual;
    }

    /**
     * Moves member {@code id} to room {@code name}: a TIP/2 member's JOIN_ROOM, or an operator's
     * move ({@code force}: no password, limit or gate applies). Both rooms' members get their new
     * roster once; the mover gets ROOM (if it speaks rooms) and its new room's roster.
     *
     * @param id the session id
     * @param name the room's name
     * @param password the password given, or null
     * @param force true for an operator's move
     * @param out where the effects go
     * @return null if it moved (or was there already), else the REASON it did not
     */
    String move(int id, String name, String password, boolean force, List<RoomEffect> out) {
        Seat s = id >= 0 && id < byId.length ? byId[id] : null;
        if (s == null) {
            return "No such user";
        }
        if (name.equals(s.room.name)) {
            // asked for the room it is in: ROOM and the full roster again (a client out of step)
            roomMessage(s, null, out);
            rosterTo(s, out);
            return null;
        }
        String refusal = force ? null : gate.refuseMove(s.user(), name);
        Rooms.Admission admission = refusal == null ? rooms.admit(name, password, force) : null;
        if (refusal == null && admission.refusal() != null) {
            refusal = admission.refusal();
        }
        if (refusal != null) {
            roomMessage(s, refusal, out);
            return refusal;
        }
        Rooms.State from = s.room;
        exit(s);
        enter(s, admission.room());
        changed();
        out.add(new RoomEffect.MoveVoice(s.id, s.room.id));
        out.add(new RoomEffect.Moved(s.user(), from.name));
        roomMessage(s, null, out);
        changedRoster(from, null, delta(RoomProtocol.LEFT, s, s.room.name), true, true, false, out);
        changedRoster(s.room, s, delta(RoomProtocol.JOINED, s, null), true, true, true, out);
        // its listeners changed: the loss each side protects against
        protect(from, out);
        protect(s.room, out);
        return null;
    }

    /**
     * The server mutes (or unmutes) member {@code id}: its voice reaches nobody; its room's TIP/2
     * members see it in the roster's MUTED.
     *
     * @param id the session id
     * @param muted true to mute
     * @param out where the effects go
     * @return false if there is no such member
     */
    boolean mute(int id, boolean muted, List<RoomEffect> out) {
        Seat s = id >= 0 && id < byId.length ? byId[id] : null;
        if (s == null) {
            return false;
        }
        if (s.muted == muted) {
            return true;
        }
        s.muted = muted;
        changed();
        out.add(new RoomEffect.MuteVoice(id, muted));
        // original rosters carry no mute: only TIP/2 members need to hear of it
        changedRoster(
                s.room, null, delta(muted ? RoomProtocol.MUTE : RoomProtocol.UNMUTE, s, null), false, true, false, out);
        return true;
    }

    /**
     * Member {@code id} asked for the rooms (LIST_ROOMS): ROOMS goes to it.
     *
     * @param id the session id
     * @param out where the effects go
     */
    void listRooms(int id, List<RoomEffect> out) {
        Seat s = byId[id];
        if (s == null || !s.tip2) {
            return;
        }
        List<JsonValue> names = new ArrayList<>();
        List<JsonValue> counts = new ArrayList<>();
        List<JsonValue> limitsOf = new ArrayList<>();
        List<JsonValue> locked = new ArrayList<>();
        for (Rooms.State r : rooms.all()) {
            names.add(JsonValue.of(r.name));
            counts.add(JsonValue.of(r.members));
            limitsOf.add(JsonValue.of(r.maxUsers));
            locked.add(JsonValue.of(r.password != null ? 1 : 0));
        }
        Extensions fields = Extensions.builder()
                .put(RoomProtocol.ROOMS, new JsonValue.Arr(names))
                .put(RoomProtocol.COUNTS, new JsonValue.Arr(counts))
                .put(RoomProtocol.LIMITS, new JsonValue.Arr(limitsOf))
                .put(RoomProtocol.LOCKED, new JsonValue.Arr(locked))
                .build();
        out.add(new RoomEffect.Send(id, encoder.encode(new ControlMessage.Extended(RoomProtocol.KEY_ROOMS, fields))));
    }

    /** ROOM to a member that speaks rooms: where it is, and why a request failed. */
    private void roomMessage(Seat s, String refusal, List<RoomEffect> out) {
        if (!s.roomsFeature) {
            return;
        }
        Extensions.Builder b = Extensions.builder().put(RoomProtocol.ROOM, s.room.name);
        if (refusal != null) {
            b.put(RoomProtocol.REASON, refusal);
        }
        out.add(new RoomEffect.Send(
                s.id, encoder.encode(new ControlMessage.Extended(RoomProtocol.KEY_ROOM, b.build()))));
    }

    /** A TIP/2 SESSION with the member's room, and the features the server grants it. */
    private static ControlMessage.Session withRoom(ControlMessage.Session session, Seat s) {
        Extensions.Builder b = Extensions.builder();
        for (var e : session.extensions().fields().entrySet()) {
            b.put(e.getKey(), e.getValue());
        }
        b.put(RoomProtocol.ROOM, s.room.name);
        List<JsonValue> features = new ArrayList<>();
        if (s.roomsFeature) {
            features.add(JsonValue.of(RoomProtocol.FEATURE_ROOMS));
        }
        if (s.deltas) {
            features.add(JsonValue.of(RoomProtocol.FEATURE_DELTAS));
        }
        if (s.lossFeedback) {
            features.add(JsonValue.of(TipProtocol.FEATURE_LOSS));
        }
        if (!features.isEmpty()) {
            b.put(RoomProtocol.FEATURES, new JsonValue.Arr(features));
        }
        return new ControlMessage.Session(session.session(), b.build());
    }

    private void enter(Seat s, Rooms.State room) {
        s.room = room;
        rooms.entered(room);
        seatsIn.computeIfAbsent(room, r -> new ArrayList<>()).add(s);
    }

    private void exit(Seat s) {
        ArrayList<Seat> in = seatsIn.get(s.room);
        in.remove(s);
        if (in.isEmpty()) {
            seatsIn.remove(s.room);
        }
        rooms.left(s.room);
    }

    /**
     * One change to {@code room}'s roster: a ROSTER_DELTA to each member with deltas (but
     * {@code self}), and a full roster to the others, at once ({@code atOnce} without
     * coalescing) or coalesced ({@link #flushRoster}); {@code self} (a joiner or mover) gets its
     * full roster at once if {@code selfFull}.
     *
     * @param room the room
     * @param self the member that joined or moved in, or null
     * @param delta the change
     * @param originals whether original members' rosters change (not for a mute)
     * @param atOnce whether, without coalescing, the full rosters go now (not for a rename)
     * @param selfFull whether {@code self} gets a full roster now
     * @param out where the effects go
     */
    private void changedRoster(
            Rooms.State room,
            Seat self,
            ControlMessage.Extended delta,
            boolean originals,
            boolean atOnce,
            boolean selfFull,
            List<RoomEffect> out) {
        List<Seat> in = seatsIn.get(room);
        if (in == null) {
            return;
        }
        room.rosterVersion = ++rosterVersions;
        byte[] bytes = null;
        int full = 0;
        int deltas = 0;
        for (Seat o : in) {
            if (o == self) {
                continue;
            }
            if (o.deltas) {
                if (bytes == null) {
                    bytes = encoder.encode(delta);
                }
                out.add(new RoomEffect.Send(o.id, bytes));
                deltas++;
            } else if (originals || o.tip2) {
                full++;
            }
        }
        if (deltas > 0) {
            out.add(new RoomEffect.Counted(RoomEffect.Count.ROSTER_DELTA, deltas));
        }
        if (coalesceMillis == 0 && atOnce) {
            // everyone who needs a full roster gets it now, the joiner with them, in room order
            fullRoster(room, originals, out);
            if (self != null && self.deltas && selfFull) {
                rosterTo(self, out);
            }
            return;
        }
        if (self != null && selfFull) {
            rosterTo(self, out);
        }
        if (full == 0) {
            return;
        }
        Boolean was = fullPending.get(room);
        if (was != null && coalesceMillis > 0) {
            // the roster that waits is replaced by this one: one roster less for each of them
            out.add(new RoomEffect.Counted(RoomEffect.Count.ROSTER_COALESCED, full));
        }
        fullPending.put(room, originals || (was != null && was));
    }

    /** A ROSTER_DELTA about {@code s}. */
    private static ControlMessage.Extended delta(String op, Seat s, String to) {
        Extensions.Builder b = Extensions.builder().put(RoomProtocol.OP, op).put(RoomProtocol.ID, s.id);
        if (op.equals(RoomProtocol.JOINED) || op.equals(RoomProtocol.RENAMED)) {
            b.put(RoomProtocol.NAME, s.name);
        }
        if (op.equals(RoomProtocol.JOINED) && s.muted) {
            b.put(RoomProtocol.MUTED, 1);
        }
        if (to != null) {
            b.put(RoomProtocol.TO, to);
        }
        return new ControlMessage.Extended(RoomProtocol.KEY_ROSTER_DELTA, b.build());
    }

    /** The whole roster of its room to one member. */
    private void rosterTo(Seat s, List<RoomEffect> out) {
        byte[][] bytes = rosterBytes(s.room);
        s.sentVersion = s.room.rosterVersion;
        out.add(new RoomEffect.Send(s.id, s.tip2 ? bytes[1] : bytes[0], true));
    }

    /**
     * The roster to every member of {@code room} that needs full rosters (all original members
     * if {@code originals}, every TIP/2 member without deltas).
     */
    private void fullRoster(Rooms.State room, boolean originals, List<RoomEffect> out) {
        List<Seat> in = seatsIn.get(room);
        if (in == null) {
            return;
        }
        byte[][] bytes = null;
        for (Seat s : in) {
            if (s.deltas || (!s.tip2 && !originals) || s.sentVersion == room.rosterVersion) {
                // gets deltas, its roster did not change, or it has this very roster (a joiner)
                continue;
            }
            if (bytes == null) {
                bytes = rosterBytes(room);
            }
            s.sentVersion = room.rosterVersion;
            out.add(new RoomEffect.Send(s.id, s.tip2 ? bytes[1] : bytes[0], true));
        }
    }

    /**
     * The roster of {@code room}, {original, TIP/2}: the names, and for TIP/2 members the ids in
     * the same order (and MUTED, the ids the server mutes, when there are any).
     */
    private byte[][] rosterBytes(Rooms.State room) {
        List<Seat> in = seatsIn.getOrDefault(room, new ArrayList<>());
        List<String> names = new ArrayList<>(in.size());
        List<JsonValue> ids = new ArrayList<>(in.size());
        List<JsonValue> muted = new ArrayList<>();
        boolean anyTip2 = false;
        for (Seat s : in) {
            names.add(s.name);
            ids.add(JsonValue.of(s.id));
            if (s.muted) {
                muted.add(JsonValue.of(s.id));
            }
            anyTip2 |= s.tip2;
        }
        byte[] original = encoder.encode(new ControlMessage.SendNewUsers(names));
        byte[] tip2 = original;
        if (anyTip2) {
            Extensions.Builder b = Extensions.builder().put("IDS", new JsonValue.Arr(ids));
            if (!muted.isEmpty()) {
                b.put(RoomProtocol.MUTED, new JsonValue.Arr(muted));
            }
            tip2 = encoder.encode(new ControlMessage.SendNewUsers(names, b.build()));
        }
        return new byte[][] {original, tip2};
    }

    private boolean heldByAnother(Seat self, InetSocketAddress voice) {
        for (Seat o : members) {
            if (o != self && voice.equals(o.voice)) {
                return true;
            }
        }
        return false;
    }

    private int freeId() {
        for (int i = 0; i < byId.length; i++) {
            if (byId[i] == null) {
                return i;
            }
        }
        return -1;
    }

    private void changed() {
        List<Participant> list = new ArrayList<>(members.size());
        for (Seat s : members) {
            list.add(s.user());
        }
        users = List.copyOf(list);
    }
}
