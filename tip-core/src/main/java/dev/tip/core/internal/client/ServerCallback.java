package dev.tip.core.internal.client;

import dev.tip.core.internal.SessionEvent;
import dev.tip.core.protocol.ControlMessage;
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
        this(name, rules, session, voice, new ClientRooms());
    }

    /**
     * Creates the callback of one client that follows rooms and roster deltas.
     *
     * @param name the client's name, for logs
     * @param rules the server-message rules
     * @param session the session they change
     * @param voice the voice engine, whose speakers follow the roster
     * @param rooms the client's rooms view
     */
    public ServerCallback(
            String name, ServerMessages rules, ClientSession session, VoiceEngine voice, ClientRooms rooms) {
        this.rooms = rooms;
        this.name = name;
        this.rules = rules;
        this.session = session;
        this.voice = voice;
    }

    @Override
    public boolean onMessage(ControlMessage m) {
        if (m instanceof ControlMessage.Extended x) {
            rooms(rooms.handle(x));
            return true;
        }
        if (m instanceof ControlMessage.Session s) {
            rooms.session(s.extensions());
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
    public void onEnd(SessionEvent event, String detail) {
        session.fail(event, detail);
    }
}
