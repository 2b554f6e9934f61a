package dev.tip.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.completer.StringsCompleter;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedString;
import org.jline.utils.Status;

/**
 * The console of {@code tip client}: reads its commands, prints messages and shows the live
 * status. On a terminal ({@link Terminal}) the commands are read by JLine at a prompt with history
 * and Tab completion, messages are printed above the prompt and the status is a bar on the
 * terminal's last line, so neither touches what the user is typing. On a pipe or a dumb terminal
 * everything is plain lines. Thread-safe: one thread reads, any thread prints.
 */
sealed interface ClientConsole extends AutoCloseable permits ClientConsole.Plain, ClientConsole.Interactive {

    /** The words {@code tip client} takes at its prompt. */
    List<String> COMMANDS = List.of("mute", "unmute", "users", "rooms", "join", "help", "quit");

    /** What {@link #readCommand} returned besides a line. */
    enum End {
        /** Standard input ended (a pipe, or Ctrl-D at the prompt). */
        END_OF_INPUT,
        /** Ctrl-C at the prompt. */
        INTERRUPTED
    }

    /**
     * Waits for the next command line.
     *
     * @return the line, or an {@link End}
     * @throws IOException if standard input fails
     */
    Object readCommand() throws IOException;

    /**
     * Prints a message line.
     *
     * @param line the text
     */
    void println(String line);

    /**
     * Prints an error line (standard error on a pipe).
     *
     * @param line the text
     */
    void printlnErr(String line);

    /**
     * Shows the live status.
     *
     * @param text one line; empty clears the bar
     */
    void status(String text);

    /**
     * Whether the status is a bar that is redrawn in place (then it may change every second).
     *
     * @return true on a terminal
     */
    boolean liveStatus();

    @Override
    void close();

    /**
     * The console for this process: interactive when standard input and output are a terminal
     * that is not dumb.
     *
     * @param out standard output
     * @param err standard error
     * @return the console
     */
    static ClientConsole open(PrintWriter out, PrintWriter err) {
        if (isInteractive(System.console() != null, System.getenv())) {
            try {
                return Interactive.open();
            } catch (IOException | RuntimeException e) {
                err.println("tip client: no interactive terminal (" + e.getMessage() + "); plain lines.");
                err.flush();
            }
        }
        return new Plain(out, err);
    }

    /**
     * The rule: a console (stdin and stdout are a terminal) whose {@code TERM} is set and not
     * {@code dumb}.
     *
     * @param console whether {@code System.console()} exists
     * @param env the environment
     * @return true for JLine's prompt and status bar
     */
    static boolean isInteractive(boolean console, Map<String, String> env) {
        String term = env.get("TERM");
        return console
                && term != null
                && !term.isBlank()
                && !term.toLowerCase(Locale.ROOT).equals("dumb");
    }

    /** Plain lines: commands from standard input, a status line now and then. Thread-safe. */
    final class Plain implements ClientConsole {
        private final PrintWriter out;
        private final PrintWriter err;
        private final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

        Plain(PrintWriter out, PrintWriter err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public Object readCommand() throws IOException {
            String line = in.readLine();
            return line == null ? End.END_OF_INPUT : line;
        }

        @Override
        public synchronized void println(String line) {
            out.println(line);
            out.flush();
        }

        @Override
        public synchronized void printlnErr(String line) {
            out.flush();
            err.println(line);
            err.flush();
        }

        @Override
        public synchronized void status(String text) {
            if (text.isEmpty()) {
                return;
            }
            out.println(text);
            out.flush();
        }

        @Override
        public boolean liveStatus() {
            return false;
        }

        @Override
        public void close() {
            out.flush();
        }
    }

    /** JLine: a prompt with history and completion, messages above it, the status in a bar. Thread-safe. */
    final class Interactive implements ClientConsole {
        private static final String PROMPT = "tip> ";
        private final Terminal terminal;
        private final LineReader reader;
        private final Status bar; // null when the terminal cannot keep a status line
        private boolean closed;

        private Interactive(Terminal terminal) {
            this.terminal = terminal;
            this.reader = LineReaderBuilder.builder()
                    .terminal(terminal)
                    .appName("tip")
                    .completer(new StringsCompleter(COMMANDS))
                    .build();
            Status s = Status.getStatus(terminal, true);
            this.bar = s != null && terminal.getHeight() > 2 ? s : null;
        }

        static Interactive open() throws IOException {
            return new Interactive(TerminalBuilder.builder().system(true).build());
        }

        @Override
        public Object readCommand() {
            try {
                return reader.readLine(PROMPT);
            } catch (UserInterruptException e) {
                return End.INTERRUPTED;
            } catch (EndOfFileException e) {
                return End.END_OF_INPUT;
            }
        }

        @Override
        public synchronized void println(String line) {
            if (!closed) {
                reader.printAbove(line);
            }
        }

        @Override
        public synchronized void printlnErr(String line) {
            println(line);
        }

        @Override
        public synchronized void status(String text) {
            if (closed) {
                return;
            }
            if (bar == null) {
                if (!text.isEmpty()) {
                    reader.printAbove(text);
                }
                return;
            }
            if (text.isEmpty()) {
                bar.update(List.of());
                return;
            }
            int width = Math.max(1, terminal.getWidth() - 1);
            String shown = text.length() > width ? text.substring(0, width) : text;
            bar.update(List.of(AttributedString.fromAnsi(shown)));
        }

        @Override
        public boolean liveStatus() {
            return bar != null;
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (bar != null) {
                bar.update(List.of());
                bar.close();
            }
            try {
                terminal.close();
            } catch (IOException e) {
                // the process ends next
            }
        }
    }
}
