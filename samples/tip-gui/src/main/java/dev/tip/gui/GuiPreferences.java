package dev.tip.gui;

import java.util.Objects;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the window remembers between runs (server, nickname, room, window size, device choices,
 * push-to-talk key), in a {@link Preferences} node. The application uses the user node
 * {@value #DEFAULT_NODE} unless the system property {@value #NODE_PROPERTY} names another one;
 * tests give a node of their own. Thread-safe (as {@link Preferences} is).
 */
public final class GuiPreferences {
    /** The user preferences node used by default. */
    public static final String DEFAULT_NODE = "dev/tip/gui";
    /** The system property that names another user node (an absolute or relative path). */
    public static final String NODE_PROPERTY = "tip.gui.preferences";

    private static final Logger log = LoggerFactory.getLogger(GuiPreferences.class);
    private static final String SERVER = "server";
    private static final String NICK = "nick";
    private static final String ROOM = "room";
    private static final String INPUT = "input";
    private static final String OUTPUT = "output";
    private static final String WIDTH = "window.width";
    private static final String HEIGHT = "window.height";
    private static final String PTT_KEY = "pushToTalk.key";

    private final Preferences node;

    /**
     * Wraps a node.
     *
     * @param node where the values live
     */
    public GuiPreferences(Preferences node) {
        this.node = Objects.requireNonNull(node, "node");
    }

    /**
     * The application's preferences: the user node {@value #DEFAULT_NODE}, or the one the system
     * property {@value #NODE_PROPERTY} names.
     *
     * @return the preferences
     */
    public static GuiPreferences forUser() {
        String path = System.getProperty(NODE_PROPERTY, DEFAULT_NODE);
        return new GuiPreferences(Preferences.userRoot().node(path.startsWith("/") ? path.substring(1) : path));
    }

    /**
     * Returns the node, for tests that remove it.
     *
     * @return the node
     */
    public Preferences node() {
        return node;
    }

    /**
     * The server last used.
     *
     * @return HOST:PORT, by default 127.0.0.1:9999
     */
    public String server() {
        return node.get(SERVER, "127.0.0.1:9999");
    }

    /**
     * The nickname last used.
     *
     * @return the nickname, or empty
     */
    public String nick() {
        return node.get(NICK, "");
    }

    /**
     * The room last used.
     *
     * @return the room, or empty
     */
    public String room() {
        return node.get(ROOM, "");
    }

    /**
     * Remembers what a successful join used.
     *
     * @param server the server as typed
     * @param nick the nickname
     * @param room the room, or empty
     */
    public void rememberJoin(String server, String nick, String room) {
        node.put(SERVER, server);
        node.put(NICK, nick);
        node.put(ROOM, room == null ? "" : room);
        flush();
    }

    /**
     * The input last chosen.
     *
     * @return the choice; the default microphone if none was stored (or it cannot be read)
     */
    public InputChoice input() {
        try {
            return InputChoice.parse(node.get(INPUT, "mic"));
        } catch (IllegalArgumentException e) {
            return InputChoice.DEFAULT_MICROPHONE;
        }
    }

    /**
     * Remembers the input.
     *
     * @param choice the choice
     */
    public void setInput(InputChoice choice) {
        node.put(INPUT, choice.toString());
        flush();
    }

    /**
     * The output last chosen.
     *
     * @return the choice; the default speaker if none was stored (or it cannot be read)
     */
    public OutputChoice output() {
        try {
            return OutputChoice.parse(node.get(OUTPUT, "speaker"));
        } catch (IllegalArgumentException e) {
            return OutputChoice.DEFAULT_SPEAKER;
        }
    }

    /**
     * Remembers the output.
     *
     * @param choice the choice
     */
    public void setOutput(OutputChoice choice) {
        node.put(OUTPUT, choice.toString());
        flush();
    }

    /**
     * The window's size last time.
     *
     * @param defaultWidth the width without a stored one
     * @param defaultHeight the height without a stored one
     * @return {width, height}, each at least 200
     */
    public int[] windowSize(int defaultWidth, int defaultHeight) {
        return new int[] {
            Math.max(200, node.getInt(WIDTH, defaultWidth)), Math.max(200, node.getInt(HEIGHT, defaultHeight))
        };
    }

    /**
     * Remembers the window's size.
     *
     * @param width the width
     * @param height the height
     */
    public void setWindowSize(int width, int height) {
        node.putInt(WIDTH, width);
        node.putInt(HEIGHT, height);
        flush();
    }

    /**
     * The push-to-talk key: a key code of {@code java.awt.event.KeyEvent}, 0 for none.
     *
     * @return the key code, 0 when push-to-talk is off
     */
    public int pushToTalkKey() {
        return node.getInt(PTT_KEY, 0);
    }

    /**
     * Remembers the push-to-talk key.
     *
     * @param keyCode a {@code KeyEvent} key code, 0 for none
     */
    public void setPushToTalkKey(int keyCode) {
        node.putInt(PTT_KEY, keyCode);
        flush();
    }

    private void flush() {
        try {
            node.flush();
        } catch (BackingStoreException | IllegalStateException e) {
            log.debug("preferences not saved: {}", e.toString());
        }
    }
}
