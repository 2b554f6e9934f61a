package dev.tip.cli;

/**
 * Keeps TIP's own info logging off the terminal of the interactive commands, whose output is
 * their own short lines; warnings still show. A level the user set with
 * {@code -Dorg.slf4j.simpleLogger.log.dev.tip=...} wins. Thread-safe (system properties).
 */
final class Logs {

    private static final String TIP_LEVEL = "org.slf4j.simpleLogger.log.dev.tip";

    private Logs() {}

    /** Lowers the TIP loggers to warnings, unless the user chose a level; call before any TIP class logs. */
    static void quiet() {
        if (System.getProperty(TIP_LEVEL) == null) {
            System.setProperty(TIP_LEVEL, "warn");
        }
    }
}
