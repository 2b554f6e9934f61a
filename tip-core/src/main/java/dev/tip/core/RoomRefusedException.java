package dev.tip.core;

/**
 * The server refused to move this client to a room ({@link TipClient#join(String, String)}); the
 * client stays in the room it was in. The message is the server's reason ("Wrong room password:
 * music", "Room full: music", ...).
 */
public final class RoomRefusedException extends TipException {
    private static final long serialVersionUID = 1L;

    /** The room asked for. */
    private final String room;

    /**
     * Creates the exception.
     *
     * @param room the room asked for
     * @param reason the server's reason
     */
    public RoomRefusedException(String room, String reason) {
        super(reason);
        this.room = room;
    }

    /**
     * Returns the room that was asked for.
     *
     * @return its name
     */
    public String room() {
        return room;
    }
}
