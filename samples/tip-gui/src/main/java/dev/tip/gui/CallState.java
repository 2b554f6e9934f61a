package dev.tip.gui;

import java.util.List;

/**
 * What the window shows, at one moment: which view, the connect view's fields and errors, and the
 * call view's roster, mute, push-to-talk, level and statistics. Immutable and thread-safe; the
 * {@link Presenter} makes a new one on every change.
 *
 * @param phase which view
 * @param server the server field's text
 * @param nick the nickname field's text
 * @param room the room field's text
 * @param serverError the sentence next to the server field, or null
 * @param nickError the sentence next to the nickname field, or null
 * @param message a sentence for the whole connect view (why the last session ended), or null
 * @param roster the room's members in join order, this client included (empty outside a call)
 * @param muted whether the user muted
 * @param pushToTalkKey the push-to-talk key (a {@code KeyEvent} key code), 0 when off
 * @param talking whether the push-to-talk key is held
 * @param input the input chosen
 * @param output the output chosen
 * @param audioNote which audio side is missing and what is used instead, or null
 * @param level the input level, 0..1
 * @param statistics the live statistics in words (empty outside a call)
 */
public record CallState(
        Phase phase,
        String server,
        String nick,
        String room,
        String serverError,
        String nickError,
        String message,
        List<Member> roster,
        boolean muted,
        int pushToTalkKey,
        boolean talking,
        InputChoice input,
        OutputChoice output,
        String audioNote,
        double level,
        String statistics) {

    /** Which view the window shows. */
    public enum Phase {
        /** The connect view: fields and Connect. */
        CONNECT,
        /** The connect view, waiting for the server (Connect pressed). */
        CONNECTING,
        /** The call view. */
        CALL
    }

    /**
     * One member of the room as the roster shows it.
     *
     * @param id the session id, or -1 when the server sends none
     * @param name the nickname
     * @param self true for this client
     * @param speaking true while their voice plays (or, for this client, while it sends voice)
     */
    public record Member(int id, String name, boolean self, boolean speaking) {}

    /** Copies the roster. */
    public CallState {
        roster = List.copyOf(roster);
    }

    /**
     * Tells whether the room hears this client now: not muted, and with push-to-talk the key held.
     *
     * @return true when voice goes out
     */
    public boolean sending() {
        return phase == Phase.CALL && !muted && (pushToTalkKey == 0 || talking);
    }

    /**
     * The nicknames of the roster, for tests and logs.
     *
     * @return the names in join order
     */
    public List<String> names() {
        return roster.stream().map(Member::name).toList();
    }

    /**
     * This state with the microphone muted or not.
     *
     * @param muted whether muted
     * @return the new state
     */
    public CallState withMuted(boolean muted) {
        return new CallState(
                phase,
                server,
                nick,
                room,
                serverError,
                nickError,
                message,
                roster,
                muted,
                pushToTalkKey,
                talking,
                input,
                output,
                audioNote,
                level,
                statistics);
    }

    /**
     * This state with another push-to-talk key (not talking).
     *
     * @param key the key code, or 0 for none
     * @return the new state
     */
    public CallState withPushToTalkKey(int key) {
        return new CallState(
                phase,
                server,
                nick,
                room,
                serverError,
                nickError,
                message,
                roster,
                muted,
                key,
                false,
                input,
                output,
                audioNote,
                level,
                statistics);
    }

    /**
     * This state with the push-to-talk key held or not.
     *
     * @param talking whether held
     * @return the new state
     */
    public CallState withTalking(boolean talking) {
        return new CallState(
                phase,
                server,
                nick,
                room,
                serverError,
                nickError,
                message,
                roster,
                muted,
                pushToTalkKey,
                talking,
                input,
                output,
                audioNote,
                level,
                statistics);
    }

    /**
     * This state with another input.
     *
     * @param input the input
     * @param audioNote which audio side is missing, or null
     * @return the new state
     */
    public CallState withInput(InputChoice input, String audioNote) {
        return new CallState(
                phase,
                server,
                nick,
                room,
                serverError,
                nickError,
                message,
                roster,
                muted,
                pushToTalkKey,
                talking,
                input,
                output,
                audioNote,
                level,
                statistics);
    }

    /**
     * This state with another output.
     *
     * @param output the output
     * @param audioNote which audio side is missing, or null
     * @return the new state
     */
    public CallState withOutput(OutputChoice output, String audioNote) {
        return new CallState(
                phase,
                server,
                nick,
                room,
                serverError,
                nickError,
                message,
                roster,
                muted,
                pushToTalkKey,
                talking,
                input,
                output,
                audioNote,
                level,
                statistics);
    }

    /**
     * This state with the call's live figures.
     *
     * @param roster the roster
     * @param audioNote which audio side is missing, or null
     * @param level the input level
     * @param statistics the statistics line
     * @return the new state
     */
    public CallState withLive(List<Member> roster, String audioNote, double level, String statistics) {
        return new CallState(
                phase,
                server,
                nick,
                room,
                serverError,
                nickError,
                message,
                roster,
                muted,
                pushToTalkKey,
                talking,
                input,
                output,
                audioNote,
                level,
                statistics);
    }
}
