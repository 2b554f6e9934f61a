package dev.tip.core.internal.client;

import dev.tip.core.Dialect;
import dev.tip.core.DialectPreference;
import dev.tip.core.User;
import dev.tip.core.internal.SessionEvent;
import dev.tip.core.internal.VoiceParameters;
import dev.tip.core.internal.crypto.KeyExchange;
import dev.tip.core.internal.crypto.SessionKeys;
import dev.tip.core.protocol.ControlMessage;
import dev.tip.core.protocol.JsonValue;
import dev.tip.core.protocol.TipProtocol;
import dev.tip.core.voice.AudioFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * The client's rules for what the server says on the control connection: a pure function from a
 * decoded message to the effect it has on the session, with no sockets, threads, locks or clocks,
 * so that every rule is tested on its own. The session applies the effect; whether it still
 * applies (the session may have ended meanwhile) is the session's call.
 */
public final class ServerMessages {

    /** The room format this client plays; a TIP/2 SESSION naming another one is refused. */
    private final AudioFormat supportedFormat;

    private final DialectPreference preference;
    private final List<String> offeredCodecs;
    private final KeyExchange keyExchange;

    /**
     * Creates the rules for one client that offers PCM only.
     *
     * @param preference whether this client offered TIP/2 in its SEND_NICKNAME
     * @param supportedFormat the only TIP/2 room format the client supports
     */
    public ServerMessages(DialectPreference preference, AudioFormat supportedFormat) {
        this(preference, supportedFormat, List.of());
    }

    /**
     * Creates the rules for one client.
     *
     * @param preference whether this client offered TIP/2 in its SEND_NICKNAME
     * @param supportedFormat the only TIP/2 room format the client supports
     * @param offeredCodecs the codecs it offered besides PCM
     */
    public ServerMessages(DialectPreference preference, AudioFormat supportedFormat, List<String> offeredCodecs) {
        this(preference, supportedFormat, offeredCodecs, null);
    }

    /**
     * Creates the rules for one client that may encrypt.
     *
     * @param preference whether this client offered TIP/2 in its SEND_NICKNAME
     * @param supportedFormat the only TIP/2 room format the client supports
     * @param offeredCodecs the codecs it offered besides PCM
     * @param keyExchange the key pair whose public key the client sent as KEY_SHARE, or null
     */
    public ServerMessages(
            DialectPreference preference,
            AudioFormat supportedFormat,
            List<String> offeredCodecs,
            KeyExchange keyExchange) {
        this.keyExchange = keyExchange;
        this.preference = preference;
        this.supportedFormat = supportedFormat;
        this.offeredCodecs = List.copyOf(offeredCodecs);
    }

    /** What a server message does to the session. */
    public sealed interface Effect {}

    /**
     * A new roster.
     *
     * @param names the nicknames in join order
     * @param members the members with their ids ({@link User#NO_ID} without TIP/2 ids)
     * @param ids the TIP/2 session ids in roster order, or null when the roster carries none
     */
    public record Roster(List<String> names, List<User> members, int[] ids) implements Effect {}

    /**
     * SESSION: the session id and the dialect, with TIP/2's voice parameters.
     *
     * @param sessionId the id the server assigned
     * @param dialect the negotiated dialect
     * @param voice TIP/2's token and room format, null in the original dialect
     */
    public record Assigned(int sessionId, Dialect dialect, VoiceParameters voice) implements Effect {}

    /**
     * The message ends the session.
     *
     * @param event the session event it is
     * @param detail why, in words for a log or a user
     */
    public record End(SessionEvent event, String detail) implements Effect {}

    /** Nothing to do: a message that a client does not act on. */
    public record Ignore(String why) implements Effect {}

    /**
     * Decides what a message means for the session.
     *
     * @param m a decoded control message from the server
     * @return its effect
     */
    public Effect handle(ControlMessage m) {
        if (m instanceof ControlMessage.SendNewUsers u) {
            return roster(u);
        }
        if (m instanceof ControlMessage.Session s) {
            return session(s);
        }
        if (m instanceof ControlMessage.Disconnect d) {
            if (d.reason() == null) {
                return new End(SessionEvent.SERVER_DISCONNECT, "the server sent DISCONNECT without a reason");
            }
            // TIP's server says "Server full" (and "Server full: ..." per address)
            return new End(
                    d.reason().startsWith(TipProtocol.SERVER_FULL)
                            ? SessionEvent.SERVER_FULL
                            : SessionEvent.SERVER_DISCONNECT,
                    d.reason());
        }
        if (m instanceof ControlMessage.ServerClose) {
            return new End(SessionEvent.SERVER_CLOSE, "the server is shutting down (SERVER_CLOSE)");
        }
        // ACK and UNKNOWN_ERROR are never sent by the original; NAME and PORT are not for clients
        return new Ignore("not a message for clients: " + m);
    }

    private Effect session(ControlMessage.Session s) {
        boolean tip2 = preference == DialectPreference.AUTO
                && s.extensions().getLong("VERSION").orElse(0) >= TipProtocol.TIP2_VERSION;
        if (!tip2) {
            return new Assigned(s.session(), Dialect.ORIGINAL, null);
        }
        VoiceParameters parameters;
        try {
            parameters = VoiceParameters.fromSession(
                    s.extensions(),
                    keyExchange == null
                            ? null
                            : server -> SessionKeys.derive(
                                    keyExchange.sharedSecret(server), keyExchange.publicKey(), server));
        } catch (IllegalArgumentException e) {
            return new End(SessionEvent.PROTOCOL_VIOLATION, e.getMessage());
        }
        AudioFormat f = parameters.format();
        if (!f.equals(supportedFormat)) {
            return new End(
                    SessionEvent.PROTOCOL_VIOLATION,
                    "the room's format (SESSION RATE " + f.sampleRate() + ", FRAME " + f.samplesPerFrame()
                            + ") is not supported: this client supports RATE " + supportedFormat.sampleRate()
                            + ", FRAME " + supportedFormat.samplesPerFrame() + " only");
        }
        String codec = parameters.codec();
        if (!codec.equals(TipProtocol.PCM) && !offeredCodecs.contains(codec)) {
            return new End(
                    SessionEvent.PROTOCOL_VIOLATION,
                    "the server chose codec \"" + codec + "\", which this client did not offer (it offered "
                            + offeredCodecs + " and pcm)");
        }
        return new Assigned(s.session(), Dialect.TIP2, parameters);
    }

    private static Roster roster(ControlMessage.SendNewUsers u) {
        List<String> names = u.users();
        int[] ids = rosterIds(u);
        List<User> members = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            members.add(new User(ids == null ? User.NO_ID : ids[i], names.get(i)));
        }
        return new Roster(names, List.copyOf(members), ids);
    }

    /** The IDS of a TIP/2 roster, if present, well formed and as long as USERS; else null. */
    static int[] rosterIds(ControlMessage.SendNewUsers u) {
        JsonValue v = u.extensions().get("IDS").orElse(null);
        if (!(v instanceof JsonValue.Arr arr)
                || arr.values().size() != u.users().size()) {
            return null;
        }
        int[] ids = new int[arr.values().size()];
        for (int i = 0; i < ids.length; i++) {
            if (!(arr.values().get(i) instanceof JsonValue.Num n)) {
                return null;
            }
            int id;
            try {
                id = n.value().intValueExact();
            } catch (ArithmeticException ex) {
                return null;
            }
            if (id < 0 || id > 0xFFFF) {
                return null;
            }
            ids[i] = id;
        }
        return ids;
    }
}
