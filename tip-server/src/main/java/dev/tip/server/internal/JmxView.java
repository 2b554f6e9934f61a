package dev.tip.server.internal;

import dev.tip.server.Participant;
import dev.tip.server.ServerStatistics;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.ReflectionException;

/**
 * The JMX view of a running server, registered as {@code dev.tip.server:type=TipServer,port=PORT}:
 * one read-only attribute per component of {@link ServerStatistics} (named as its accessor,
 * capitalized: {@code Users}, {@code DatagramsRelayed}, ...), {@code Port}, {@code Roster} (one
 * {@code "id name"} per user), {@code Rooms} (one {@code "name members"} per room), and the
 * operations {@code kick(int id, String reason)}, {@code move(int id, String room)}, {@code
 * mute(int id)}, {@code unmute(int id)}, {@code banNickname(String, long minutes, String reason)},
 * {@code banAddress(String, long minutes, String reason)} and {@code unban(String)}. Every call
 * reads one snapshot, so the attributes fetched together in one {@link #getAttributes} agree.
 * Thread-safe.
 */
final class JmxView implements DynamicMBean {

    /** What the view reads and does. */
    interface Server {
        /** The port. */
        int port();

        /** The users now. */
        List<Participant> users();

        /** One snapshot of the counters. */
        ServerStatistics statistics();

        /** Kicks a user; true if it was connected. */
        boolean kick(int id, String reason);

        /** The rooms now. */
        List<dev.tip.server.RoomInfo> rooms();

        /** Each member's voice stream. */
        List<dev.tip.server.StreamStatistics> streams();

        /** Moves a user; true if it was connected. */
        boolean move(int id, String room);

        /** Mutes or unmutes a user; true if it was connected. */
        boolean mute(int id, boolean muted);

        /** Adds a ban. */
        void ban(dev.tip.server.Ban ban);

        /** Lifts a ban. */
        void unban(dev.tip.server.Ban.Kind kind, String value);
    }

    private static final RecordComponent[] COMPONENTS = ServerStatistics.class.getRecordComponents();
    private static final String KICK = "kick";
    private static final String MOVE = "move";
    private static final String MUTE = "mute";
    private static final String UNMUTE = "unmute";
    private static final String BAN_NICKNAME = "banNickname";
    private static final String BAN_ADDRESS = "banAddress";
    private static final String UNBAN = "unban";

    private final Server server;
    private final MBeanInfo info;

    JmxView(Server server) {
        this.server = server;
        List<MBeanAttributeInfo> attributes = new ArrayList<>();
        attributes.add(new MBeanAttributeInfo("Port", "int", "the TCP and UDP port", true, false, false));
        attributes.add(new MBeanAttributeInfo(
                "Roster", String[].class.getName(), "the users, one \"id name\" each", true, false, false));
        attributes.add(new MBeanAttributeInfo(
                "Rooms", String[].class.getName(), "the rooms, one \"name members\" each", true, false, false));
        attributes.add(new MBeanAttributeInfo(
                "Streams",
                String[].class.getName(),
                "each member's voice stream: id name room codec path packets bytes lost late jitter-ms",
                true,
                false,
                false));
        for (RecordComponent c : COMPONENTS) {
            attributes.add(new MBeanAttributeInfo(
                    attributeName(c),
                    c.getType().getName(),
                    "see ServerStatistics." + c.getName(),
                    true,
                    false,
                    false));
        }
        MBeanOperationInfo kick = new MBeanOperationInfo(
                KICK,
                "DISCONNECT with the reason, then the connection is closed; true if such a user was connected",
                new MBeanParameterInfo[] {
                    new MBeanParameterInfo("id", "int", "the session id"),
                    new MBeanParameterInfo("reason", String.class.getName(), "the REASON sent")
                },
                "boolean",
                MBeanOperationInfo.ACTION);
        MBeanOperationInfo move = operation(
                MOVE,
                "moves a user to a room (created if absent); true if connected",
                "boolean",
                new MBeanParameterInfo("id", "int", "the session id"),
                new MBeanParameterInfo("room", String.class.getName(), "the room"));
        MBeanOperationInfo mute = operation(
                MUTE,
                "server mute: its voice is relayed to nobody; true if connected",
                "boolean",
                new MBeanParameterInfo("id", "int", "the session id"));
        MBeanOperationInfo unmute = operation(
                UNMUTE,
                "lifts a server mute; true if connected",
                "boolean",
                new MBeanParameterInfo("id", "int", "the session id"));
        MBeanOperationInfo banName = operation(
                BAN_NICKNAME,
                "bans a nickname for so many minutes (0: for ever) and kicks who has it",
                "void",
                new MBeanParameterInfo("nickname", String.class.getName(), "the nickname"),
                new MBeanParameterInfo("minutes", "long", "how long, 0 for ever"),
                new MBeanParameterInfo("reason", String.class.getName(), "shown to the client"));
        MBeanOperationInfo banAddress = operation(
                BAN_ADDRESS,
                "bans an IP address for so many minutes (0: for ever) and kicks its users",
                "void",
                new MBeanParameterInfo("address", String.class.getName(), "the IP address"),
                new MBeanParameterInfo("minutes", "long", "how long, 0 for ever"),
                new MBeanParameterInfo("reason", String.class.getName(), "shown to the client"));
        MBeanOperationInfo unban = operation(
                UNBAN,
                "lifts the ban of a nickname or an IP address",
                "void",
                new MBeanParameterInfo("value", String.class.getName(), "the nickname or address"));
        this.info = new MBeanInfo(
                "dev.tip.server.TipServer",
                "A TIP server: its statistics, roster, rooms and moderation",
                attributes.toArray(MBeanAttributeInfo[]::new),
                null,
                new MBeanOperationInfo[] {kick, move, mute, unmute, banName, banAddress, unban},
                null);
    }

    private static MBeanOperationInfo operation(
            String name, String description, String type, MBeanParameterInfo... params) {
        return new MBeanOperationInfo(name, description, params, type, MBeanOperationInfo.ACTION);
    }

    private static String attributeName(RecordComponent c) {
        return c.getName().substring(0, 1).toUpperCase(Locale.ROOT)
                + c.getName().substring(1);
    }

    @Override
    public Object getAttribute(String name) throws AttributeNotFoundException, ReflectionException {
        return read(name, server::statistics);
    }

    private Object read(String name, Supplier<ServerStatistics> snapshot)
            throws AttributeNotFoundException, ReflectionException {
        if (name.equals("Port")) {
            return server.port();
        }
        if (name.equals("Streams")) {
            return server.streams().stream()
                    .map(t -> String.format(
                            java.util.Locale.ROOT,
                            "%d %s %s %s %s packets=%d bytes=%d lost=%d late=%d jitter=%.2fms",
                            t.id(),
                            t.name(),
                            t.room(),
                            t.codec(),
                            t.path(),
                            t.packets(),
                            t.bytes(),
                            t.lost(),
                            t.late(),
                            t.jitterMillis()))
                    .toArray(String[]::new);
        }
        if (name.equals("Rooms")) {
            return server.rooms().stream()
                    .map(r -> r.name() + " " + r.members())
                    .toArray(String[]::new);
        }
        if (name.equals("Roster")) {
            return server.users().stream().map(u -> u.id() + " " + u.name()).toArray(String[]::new);
        }
        for (RecordComponent c : COMPONENTS) {
            if (attributeName(c).equals(name)) {
                try {
                    return c.getAccessor().invoke(snapshot.get());
                } catch (IllegalAccessException | InvocationTargetException e) {
                    throw new ReflectionException(e);
                }
            }
        }
        throw new AttributeNotFoundException(name);
    }

    @Override
    public AttributeList getAttributes(String[] names) {
        ServerStatistics one = server.statistics();
        AttributeList list = new AttributeList();
        for (String name : names) {
            try {
                list.add(new Attribute(name, read(name, () -> one)));
            } catch (AttributeNotFoundException | ReflectionException e) {
                // left out, as the JMX contract says
            }
        }
        return list;
    }

    @Override
    public void setAttribute(Attribute attribute) throws AttributeNotFoundException {
        throw new AttributeNotFoundException(attribute.getName() + " is read-only");
    }

    @Override
    public AttributeList setAttributes(AttributeList attributes) {
        return new AttributeList();
    }

    @Override
    public Object invoke(String action, Object[] params, String[] signature) throws ReflectionException {
        if (KICK.equals(action) && params != null && params.length == 2 && params[0] instanceof Integer id) {
            return server.kick(id, (String) params[1]);
        }
        int n = params == null ? 0 : params.length;
        if (MOVE.equals(action) && n == 2 && params[0] instanceof Integer id && params[1] instanceof String room) {
            return server.move(id, room);
        }
        if ((MUTE.equals(action) || UNMUTE.equals(action)) && n == 1 && params[0] instanceof Integer id) {
            return server.mute(id, MUTE.equals(action));
        }
        if ((BAN_NICKNAME.equals(action) || BAN_ADDRESS.equals(action))
                && n == 3
                && params[0] instanceof String value
                && params[1] instanceof Long minutes) {
            java.time.Instant until =
                    minutes > 0 ? java.time.Instant.now().plus(java.time.Duration.ofMinutes(minutes)) : null;
            server.ban(new dev.tip.server.Ban(
                    BAN_NICKNAME.equals(action) ? dev.tip.server.Ban.Kind.NICKNAME : dev.tip.server.Ban.Kind.ADDRESS,
                    value,
                    until,
                    (String) params[2]));
            return null;
        }
        if (UNBAN.equals(action) && n == 1 && params[0] instanceof String value) {
            server.unban(dev.tip.server.Ban.Kind.NICKNAME, value);
            server.unban(dev.tip.server.Ban.Kind.ADDRESS, value);
            return null;
        }
        throw new ReflectionException(new NoSuchMethodException(action), "no operation " + action);
    }

    @Override
    public MBeanInfo getMBeanInfo() {
        return info;
    }
}
