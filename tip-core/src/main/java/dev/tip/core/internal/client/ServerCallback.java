package dev.tip.core.internal.client;

import dev.tip.core.Dialect;
import dev.tip.core.internal.SessionEvent;
import dev.tip.core.protocol.ControlMessage;
import dev.tip.core.protocol.RoomProtocol;
import dev.tip.core.protocol.TipProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the control thread reports, applied: each message through the {@link ServerMessages}
 * rules into the {@link ClientSession} (and the speakers' buffers), the connection's end as a
 * failure. Runs on the control thread.
 */
public final class ServerCallback implements ControlConnection.Callback {
    private static final Logger log = LoggerFactory.getLogger(ServerCallback.class);

    private final String name;
    private final ServerMessages rules;
    private final ClientSession session;
    private final VoiceEngine voice;
    /** Resumes the session when the connection breaks; null: it fails. */
    private final Reconnector reconnector;

    private final ClientRooms rooms;

    /**
     * Creates the callback of one client.
     *
     * @param name the client's name, for logs
     * @param rules the server-message rules
     * @param session the session they change
     * @param voice the voice engine, whose speakers follow the roster
     */
    public ServerCallback(String name, ServerMessages rules, ClientSession session, VoiceEngine voice) {
        this(name, rules, session, voice, null, new ClientRooms());
    }

    /**
     * Creates the callback of one client that follows rooms and roster deltas, and resumes its
     * TIP/2 session when the connection breaks.
     *
     * @param name the client's name, for logs
     * @param rules the server-message rules
     * @param session the session they change
     * @param voice the voice engine, whose speakers follow the roster
     * @param reconnector resumes the session, or null
     * @param rooms the client's rooms view
     */
    public ServerCallback(
            String name,
            ServerMessages rules,
            ClientSession session,
            VoiceEngine voice,
            Reconnector reconnector,
            ClientRooms rooms) {
        this.reconnector = reconnector;
        this.rooms = rooms;
        this.name = name;
        this.rules = rules;
        this.session = session;
        this.voice = voice;
    }

    @Override
    public boolean onMessage(ControlMessage m) {
        if (m instanceof ControlMessage.Extended x) {
            if (x.key() == TipProtocol.KEY_LOSS_PROTECT) {
                voice.protectAgainstLoss(
                        x.extensions().getLong(TipProtocol.LOSS).orElse(0));
                return true;
            }
            rooms(rooms.handle(x));
            return true;
        }
        if (m instanceof ControlMessage.Session s) {
            rooms.session(s.extensions());
            voice.lossFeedbackGranted(RoomProtocol.hasFeature(s.extensions(), TipProtocol.FEATURE_LOSS));
        }
        ServerMessages.Effect effect = rules.handle(m);
        if (effect instanceof ServerMessages.Roster r && m instanceof ControlMessage.SendNewUsers u) {
            // the base that later deltas apply to
            rooms.full(u, r.ids());
        }
        if (effect instanceof ServerMessages.Roster r) {
            if (r.ids() != null) {
                // before the roster is published: whoever sees the new roster sees the leaver's
                // buffer gone; a leaver who was speaking is told to have stopped
                voice.retainSpeakers(r.ids());
            }
            session.roster(r);
        } else if (effect instanceof ServerMessages.Assigned a) {
            if (a.dialect() == Dialect.TIP2
                    && m instanceof ControlMessage.Session s
                    && s.extensions().getLong(TipProtocol.TUNNEL).orElse(0) == 1) {
                // before the session is in the room: voice starts knowing it may tunnel
                voice.tunnelAccepted();
            }
            if (a.dialect() == Dialect.TIP2 && reconnector != null && m instanceof ControlMessage.Session s) {
                reconnector.sessionAssigned(s);
            }
            session.assigned(a);
        } else if (effect instanceof ServerMessages.End e) {
            session.fail(e.event(), e.detail());
            return false;
        } else if (effect instanceof ServerMessages.Ignore i) {
            log.debug("{}: ignoring {}", name, i.why());
        }
        return true;
    }

    private void rooms(ClientRooms.Change c) {
        if (c instanceof ClientRooms.RosterChanged rc) {
            voice.retainSpeakers(rc.roster().ids());
            session.roster(rc.roster());
        } else if (c instanceof ClientRooms.Entered e) {
            session.notify(l -> l.roomChanged(e.room()));
        } else if (c instanceof ClientRooms.Refused r) {
            log.debug("{}: move to {} refused: {}", name, r.asked(), r.reason());
            session.notify(l -> l.roomRefused(r.asked(), r.reason()));
        }
    }

    @Override
    public void onDatagram(byte[] buf, int off, int len) {
        voice.receiveTunnelled(buf, off, len);
    }

    @Override
    public void onEnd(SessionEvent event, String detail) {
        if (event == SessionEvent.CONNECTION_LOST && reconnector != null && reconnector.connectionLost(detail)) {
            return;
        }
        session.fail(event, detail);
    }
}
