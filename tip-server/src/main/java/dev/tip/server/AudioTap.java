package dev.tip.server;

/**
 * Receives a room's voice as decoded PCM, for a recording or a bot ({@link TipServer#tap}): the
 * room format, signed 16-bit mono at 20 000 Hz, 512 samples (25.6 ms) per frame. Both methods
 * default to doing nothing.
 *
 * <p>Frames come from the server's decoding for the original listeners' mix (docs/protocol.md,
 * "Mixed rooms"), so a tap hears what that mix hears: every PCM speaker and, with mixing on (the
 * default), every Opus speaker; a server built with {@code mixOriginalListeners(false)} gives a
 * tap PCM speakers only.
 *
 * <p>Threading: called on a thread of the tap's own ({@code tip-server-tap-PORT}), in order,
 * never on the relay thread. A tap that falls behind by more than about 5 s of frames loses the
 * oldest ({@link TipServer.Tap#framesDropped()}); the relay never waits for it.
 */
public interface AudioTap {

    /**
     * One frame of one speaker, as it arrived (in arrival order, not paced).
     *
     * @param speakerId the speaker's session id
     * @param pcm 512 samples; the tap's own copy
     */
    default void speakerFrame(int speakerId, short[] pcm) {}

    /**
     * One frame of the room's mix: the clipped sum of everyone talking in that 25.6 ms, paced
     * by the server's clock; nothing is delivered while nobody talks.
     *
     * @param pcm 512 samples; the tap's own copy
     */
    default void mixedFrame(short[] pcm) {}
}
