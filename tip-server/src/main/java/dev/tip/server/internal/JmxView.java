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
 * {@code "id name"} per user), and the operation {@code kick(int id, String reason)}. Every call
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
    }

    private static final RecordComponent[] COMPONENTS = ServerStatistics.class.getRecordComponents();
    private static final String KICK = "kick";

    private final Server server;
    private final MBeanInfo info;

    JmxView(Server server) {
        this.server = server;
        List<MBeanAttributeInfo> attributes = new ArrayList<>();
        attributes.add(new MBeanAttributeInfo("Port", "int", "the TCP and UDP port", true, false, false));
        attributes.add(new MBeanAttributeInfo(
                "Roster", String[].class.getName(), "the users, one \"id name\" each", true, false, false));
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
        this.info = new MBeanInfo(
                "dev.tip.server.TipServer",
                "A TIP server: its statistics, roster and kick",
                attributes.toArray(MBeanAttributeInfo[]::new),
                null,
                new MBeanOperationInfo[] {kick},
                null);
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
        throw new ReflectionException(new NoSuchMethodException(action), "no operation " + action);
    }

    @Override
    public MBeanInfo getMBeanInfo() {
        return info;
    }
}
