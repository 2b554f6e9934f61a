package dev.tip.core.protocol;

import java.util.List;
import java.util.Objects;

/**
 * One TCP control message: a JSON object with an integer {@code KEY} and the fields that KEY
 * defines. One record per KEY of the original protocol; each keeps the extension fields it
 * arrived with (fields its KEY does not define), so a newer dialect can add fields that original
 * peers ignore. Records are immutable and thread-safe.
 *
 * <pre>{@code
 * if (message instanceof ControlMessage.Session s) {
 *     mySession = s.session();
 * } else if (message instanceof ControlMessage.SendNewUsers u) {
 *     roster = u.users();
 * }
 * }</pre>
 */
public sealed interface ControlMessage {

    /** KEY of {@link Ack}. */
    int KEY_ACK = 0;
    /** KEY of {@link UnknownError}. */
    int KEY_UNKNOWN_ERROR = 1;
    /** KEY of {@link SendNickname}. */
    int KEY_SEND_NICKNAME = 2;
    /** KEY of {@link SendNewUsers}. */
    int KEY_SEND_NEW_USERS = 3;
    /** KEY of {@link Disconnect}. */
    int KEY_DISCONNECT = 4;
    /** KEY of {@link ServerClose}. */
    int KEY_SERVER_CLOSE = 5;
    /** KEY of {@link Session}. */
    int KEY_SESSION = 6;
    /** KEY of {@link ClientPort}. */
    int KEY_CLIENT_PORT = 7;

    /** Highest valid UDP port. */
    int MAX_PORT = 65_535;

    /**
     * Returns this message's KEY.
     *
     * @return the KEY value on the wire
     */
    int key();

    /**
     * Returns the fields this message carries beyond those its KEY defines.
     *
     * @return the extension fields, never null
     */
    Extensions extensions();

    /**
     * ACK, {@code {"KEY": 0}}. Defined by the original protocol, never sent by it.
     *
     * @param extensions extension fields
     */
    record Ack(Extensions extensions) implements ControlMessage {
        /** Rejects null. */
        public Ack {
            Objects.requireNonNull(extensions, "extensions");
        }

        /** An ACK without extension fields. */
        public Ack() {
            this(Extensions.NONE);
        }

        @Override
        public int key() {
            return KEY_ACK;
        }
    }

    /**
     * UNKNOWN_ERROR, {@code {"KEY": 1}}. Defined by the original protocol, never sent by it.
     *
     * @param extensions extension fields
     */
    record UnknownError(Extensions extensions) implements ControlMessage {
        /** Rejects null. */
        public UnknownError {
            Objects.requireNonNull(extensions, "extensions");
        }

        /** An UNKNOWN_ERROR without extension fields. */
        public UnknownError() {
            this(Extensions.NONE);
        }

        @Override
        public int key() {
            return KEY_UNKNOWN_ERROR;
        }
    }

    /**
     * SEND_NICKNAME, {@code {"KEY": 2, "NAME": "John"}}: the first message a client sends.
     *
     * @param name the nickname, any string (the server applies its nickname policy)
     * @param extensions extension fields (a TIP/2 client adds its VERSION here)
     */
    record SendNickname(String name, Extensions extensions) implements ControlMessage {
        /** Rejects nulls. */
        public SendNickname {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(extensions, "extensions");
        }

        /**
         * A SEND_NICKNAME without extension fields.
         *
         * @param name the nickname
         */
        public SendNickname(String name) {
            this(name, Extensions.NONE);
        }

        @Override
        public int key() {
            return KEY_SEND_NICKNAME;
        }
    }

    /**
     * SEND_NEW_USERS, {@code {"KEY": 3, "USERS": ["John", "Adam"]}}: the whole roster, in join
     * order, broadcast on every join and leave.
     *
     * @param users the nicknames, copied
     * @param extensions extension fields
     */
    record SendNewUsers(List<String> users, Extensions extensions) implements ControlMessage {
        /** Copies the list; rejects nulls. */
        public SendNewUsers {
            users = List.copyOf(users);
            Objects.requireNonNull(extensions, "extensions");
        }

        /**
         * A SEND_NEW_USERS without extension fields.
         *
         * @param users the nicknames
         */
        public SendNewUsers(List<String> users) {
            this(users, Extensions.NONE);
        }

        @Override
        public int key() {
            return KEY_SEND_NEW_USERS;
        }
    }

    /**
     * DISCONNECT, {@code {"KEY": 4, "REASON": "Quit"}}: either side leaves. Without a reason the
     * original writes {@code {"KEY": 4, "REASON": null}}, and so does the encoder.
     *
     * @param reason why, or null for none
     * @param extensions extension fields
     */
    record Disconnect(String reason, Extensions extensions) implements ControlMessage {
        /** The reason the original client sends when its user leaves. */
        public static final String QUIT = "Quit";

        /** Rejects null extensions. */
        public Disconnect {
            Objects.requireNonNull(extensions, "extensions");
        }

        /**
         * A DISCONNECT without extension fields.
         *
         * @param reason why, or null for none
         */
        public Disconnect(String reason) {
            this(reason, Extensions.NONE);
        }

        @Override
        public int key() {
            return KEY_DISCONNECT;
        }
    }

    /**
     * SERVER_CLOSE, {@code {"KEY": 5}}: the server is shutting down.
     *
     * @param extensions extension fields
     */
    record ServerClose(Extensions extensions) implements ControlMessage {
        /** Rejects null. */
        public ServerClose {
            Objects.requireNonNull(extensions, "extensions");
        }

        /** A SERVER_CLOSE without extension fields. */
        public ServerClose() {
            this(Extensions.NONE);
        }

        @Override
        public int key() {
            return KEY_SERVER_CLOSE;
        }
    }

    /**
     * SESSION, {@code {"KEY": 6, "SESSION": 2}}: the session id the server gave this client.
     *
     * @param session the id, not negative (the original hands out 0..999)
     * @param extensions extension fields (a TIP/2 server adds VERSION and the room here)
     */
    record Session(int session, Extensions extensions) implements ControlMessage {
        /** Rejects a negative id and null. */
        public Session {
            if (session < 0) {
                throw new IllegalArgumentException("session must not be negative, was " + session);
            }
            Objects.requireNonNull(extensions, "extensions");
        }

        /**
         * A SESSION without extension fields.
         *
         * @param session the id
         */
        public Session(int session) {
            this(session, Extensions.NONE);
        }

        @Override
        public int key() {
            return KEY_SESSION;
        }
    }

    /**
     * CLIENT_PORT, {@code {"KEY": 7, "PORT": 5253}}: the UDP port the client receives voice on.
     *
     * @param port the port, 1..65535
     * @param extensions extension fields
     */
    record ClientPort(int port, Extensions extensions) implements ControlMessage {
        /** Rejects a port outside 1..65535 and null. */
        public ClientPort {
            if (port < 1 || port > MAX_PORT) {
                throw new IllegalArgumentException("port must be 1..65535, was " + port);
            }
            Objects.requireNonNull(extensions, "extensions");
        }

        /**
         * A CLIENT_PORT without extension fields.
         *
         * @param port the port
         */
        public ClientPort(int port) {
            this(port, Extensions.NONE);
        }

        @Override
        public int key() {
            return KEY_CLIENT_PORT;
        }
    }

    /**
     * A TIP/2 message whose KEY has no original meaning (rooms and roster deltas, {@link
     * RoomProtocol}): the KEY and its fields, all kept as {@link #extensions()}. Only TIP/2 peers
     * send or receive these; original peers ignore any KEY they do not know.
     *
     * @param key the KEY, one that {@link RoomProtocol#isRoomKey} accepts
     * @param extensions the fields, in order
     */
    record Extended(int key, Extensions extensions) implements ControlMessage {
        /** Rejects null and a KEY of the original protocol. */
        public Extended {
            if (key <= KEY_CLIENT_PORT) {
                throw new IllegalArgumentException("KEY " + key + " is an original message");
            }
            Objects.requireNonNull(extensions, "extensions");
        }
    }
}
