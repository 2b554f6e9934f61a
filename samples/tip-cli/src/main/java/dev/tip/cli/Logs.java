package dev.tip.cli;

/**
 * Keeps TIP's own info logging off the terminal of the commands whose output is their own short
 * lines (client, demo, load, devices); warnings still show. {@code tip server} and {@code --verbose}
 * keep the info lines. A level the user set with {@code -Dorg.slf4j.simpleLogger.log.dev.tip=...}
 * wins. slf4j-simple fixes a logger's level when the logger is created, and picocli creates the
 * command objects (whose classes create loggers) before any command runs: so {@link #configure}
 * runs first in {@code main}, on the raw arguments. Thread-safe (system properties).
 */
final class Logs {

    private static final String TIP_LEVEL = "org.slf4j.simpleLogger.log.dev.tip";
    private static final String CLI_LEVEL = "org.slf4j.simpleLogger.log.tip";

    private Logs() {}

    /**
     * Chooses the TIP log level for a command line; call before any logger is created.
     *
     * @param args the arguments of {@code main}
     */
    static void configure(String[] args) {
        boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
        boolean server = args.length > 0 && args[0].equals("server");
        if (!verbose && !server) {
            quiet();
        }
    }

    /** Lowers the TIP loggers to warnings, unless the user chose a level; call before any TIP class logs. */
    static void quiet() {
        if (System.getProperty(TIP_LEVEL) == null) {
            System.setProperty(TIP_LEVEL, "warn");
        }
        if (System.getProperty(CLI_LEVEL) == null) {
            System.setProperty(CLI_LEVEL, "warn");
        }
    }
}
