package dev.tip.server.internal;

/**
 * Client text made safe for a log line: every character outside printable ASCII (line breaks,
 * other controls, DEL, non-ASCII) written as a backslash, u and four hex digits and a backslash doubled, so
 * that no client can start a line of its own or forge one; and cut to a bounded length, so that
 * no client can fill the log. Pure.
 */
final class LogText {

    /** Most characters of client text in one log line. */
    static final int MAX_CHARS = 80;

    private LogText() {}

    /**
     * Returns {@code text} escaped and truncated to {@link #MAX_CHARS}.
     *
     * @param text client text, may be null
     * @return the safe text ({@code null} for null)
     */
    static String safe(String text) {
        return safe(text, MAX_CHARS);
    }

    /**
     * Returns {@code text} escaped, and cut after {@code max} characters of the original with a
     * note of how many more there were.
     *
     * @param text client text, may be null
     * @param max most characters of the original kept
     * @return the safe text ({@code null} for null)
     */
    static String safe(String text, int max) {
        if (text == null) {
            return "null";
        }
        int n = Math.min(text.length(), max);
        StringBuilder b = new StringBuilder(n + 16);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                b.append("\\\\");
            } else if (c >= 0x20 && c < 0x7f) {
                b.append(c);
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        if (text.length() > n) {
            b.append("...(").append(text.length() - n).append(" more)");
        }
        return b.toString();
    }
}
