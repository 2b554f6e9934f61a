package dev.tip.gui;

import dev.tip.core.DisconnectReason;
import dev.tip.core.SessionFailedException;
import java.time.Duration;
import java.util.Locale;

/**
 * Says in words what went wrong, for a person: why a join failed (and next to which field) and
 * why a session ended. Stateless and thread-safe.
 */
public final class Words {

    /** The field of the connect view a message belongs next to. */
    public enum Field {
        /** The server address field. */
        SERVER,
        /** The nickname field. */
        NICK,
        /** No field: the message stands for the whole view. */
        NONE
    }

    /**
     * A message and where it goes.
     *
     * @param field the field it belongs to
     * @param text the sentence
     */
    public record Message(Field field, String text) {}

    private Words() {}

    /**
     * Why the client could not join.
     *
     * @param e what {@code connect()} threw
     * @param server the server it tried
     * @param timeout the time it allowed for the connection and the handshake
     * @return the message and its field
     */
    public static Message joinFailed(SessionFailedException e, ServerAddress server, Duration timeout) {
        String detail = detail(e);
        String lower = detail.toLowerCase(Locale.ROOT);
        return switch (e.reason()) {
            case REFUSED ->
                lower.startsWith("unknown host")
                        ? new Message(Field.SERVER, "Unknown host " + server.host() + ": check the address.")
                        : new Message(
                                Field.SERVER,
                                "Connection refused: nothing answers at " + server
                                        + ". Is the server running, and is the port right?");
            case TIMED_OUT ->
                new Message(
                        Field.SERVER,
                        "Timed out: " + server + " did not answer within " + seconds(timeout)
                                + ". Check the address, or the server may be busy.");
            case SERVER_FULL ->
                new Message(
                        Field.SERVER,
                        "The server is full" + (lower.contains("address") ? " for your address" : "")
                                + ": try again later.");
            case NICKNAME_REJECTED -> {
                if (lower.contains("in use") || lower.contains("taken")) {
                    yield new Message(Field.NICK, "This nickname is taken: choose another.");
                }
                yield new Message(
                        Field.NICK, "The server rejected the nickname" + (detail.isBlank() ? "." : ": " + detail));
            }
            case SERVER_CLOSED -> new Message(Field.SERVER, "The server is shutting down: try again later.");
            case CONNECTION_LOST, DISCONNECTED_BY_SERVER, RESUME_REFUSED ->
                new Message(Field.SERVER, "The server closed the connection while joining" + suffix(detail));
            case PROTOCOL_ERROR ->
                new Message(
                        Field.SERVER, "This does not look like a TIP server (it broke the protocol" + suffix(detail));
            case QUIT -> new Message(Field.NONE, "Stopped joining.");
        };
    }

    /**
     * Why a session in the room ended.
     *
     * @param reason the reason
     * @param detail the detail, or null
     * @return the sentence shown in the connect view
     */
    public static String ended(DisconnectReason reason, String detail) {
        String d = detail == null ? "" : detail.trim();
        return switch (reason) {
            case QUIT -> "You left the room.";
            case SERVER_CLOSED -> "The server closed: it is shutting down.";
            case DISCONNECTED_BY_SERVER ->
                "The server disconnected you (kicked)" + (d.isEmpty() ? "." : ": " + d + ".");
            case CONNECTION_LOST -> "Connection lost: the server stopped answering.";
            case RESUME_REFUSED ->
                "Connection lost, and the server would not resume the session" + (d.isEmpty() ? "." : ": " + d + ".");
            case PROTOCOL_ERROR -> "The server broke the protocol" + (d.isEmpty() ? "." : ": " + d + ".");
            case REFUSED, TIMED_OUT, NICKNAME_REJECTED, SERVER_FULL -> "The session ended (" + reason + ").";
        };
    }

    private static String suffix(String detail) {
        return detail.isBlank() ? ")." : ": " + detail + ").";
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }

    /** The exception's message without the reason it starts with (the enum name). */
    static String detail(SessionFailedException e) {
        String m = String.valueOf(e.getMessage());
        String prefix = e.reason() + ": ";
        return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }
}
