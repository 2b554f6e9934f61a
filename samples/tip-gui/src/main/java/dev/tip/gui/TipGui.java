package dev.tip.gui;

import com.formdev.flatlaf.FlatLightLaf;
import java.awt.GraphicsEnvironment;
import java.util.concurrent.Callable;
import javax.swing.SwingUtilities;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tip-gui.jar}: the desktop client. Parses the command line, sets the look-and-feel and
 * opens the window on the event dispatch thread. Confined to the thread that runs {@link #main}.
 */
@Command(
        name = "tip-gui",
        mixinStandardHelpOptions = true,
        exitCodeOnInvalidInput = 2,
        sortOptions = false,
        description = {
            "The TIP desktop client: a window to join a TIP room (a TIP server or the original Python "
                    + "server), see who is there and who speaks, mute, push to talk and leave.",
            "The options fill the connect view (the window remembers what was typed last time); "
                    + "--connect joins at once.",
            ""
        })
public final class TipGui implements Callable<Integer> {

    @Option(
            names = "--server",
            paramLabel = "HOST:PORT",
            description = "The server, HOST[:PORT] (port 9999 when left out). Default: the last one used.")
    String server;

    @Option(names = "--nick", paramLabel = "NAME", description = "Your nickname. Default: the last one used.")
    String nick;

    @Option(
            names = "--room",
            paramLabel = "R",
            description = "The room to join (kept for servers with rooms; TIP servers have one room today).")
    String room;

    @Option(names = "--connect", description = "Join at once, without pressing Connect.")
    boolean connect;

    @Option(
            names = "--source",
            paramLabel = "SOURCE",
            converter = InputConverter.class,
            description = "What you send: mic[:DEVICE], tone:HZ, wav:FILE (looped) or silence. "
                    + "Default: the last choice in the window (at first the default microphone).")
    InputChoice source;

    @Option(
            names = "--sink",
            paramLabel = "SINK",
            converter = OutputConverter.class,
            description = "Where the room goes: speaker[:DEVICE] or null. Default: the last choice in the window.")
    OutputChoice sink;

    @Override
    public Integer call() {
        if (GraphicsEnvironment.isHeadless()) {
            System.err.println("tip-gui: no display (headless); use the command line client: tip client --help");
            return 1;
        }
        SwingUtilities.invokeLater(() -> open(GuiPreferences.forUser(), Presenter.Config.DEFAULT, true));
        return 0;
    }

    /**
     * Opens the window with these options: sets the look-and-feel, fills the connect view, applies
     * --source and --sink, and joins with --connect. Call on the event dispatch thread.
     *
     * @param prefs what the window remembers
     * @param config the presenter's timeouts
     * @param exitOnClose true to end the program when the window closes
     * @return the visible window
     */
    public MainWindow open(GuiPreferences prefs, Presenter.Config config, boolean exitOnClose) {
        FlatLightLaf.setup();
        Presenter presenter = new Presenter(prefs, config);
        if (source != null) {
            presenter.setInput(source);
        }
        if (sink != null) {
            presenter.setOutput(sink);
        }
        presenter.prefill(server, nick, room);
        MainWindow window = new MainWindow(presenter, exitOnClose);
        window.setVisible(true);
        if (connect) {
            CallState s = presenter.state();
            presenter.connect(s.server(), s.nick(), s.room());
        }
        return window;
    }

    /**
     * Parses a command line into options, for tests that open the window in their own JVM.
     *
     * @param args the command line
     * @return the options
     * @throws CommandLine.ParameterException if the command line is wrong
     */
    public static TipGui parse(String... args) {
        TipGui gui = new TipGui();
        new CommandLine(gui).parseArgs(args);
        return gui;
    }

    /** Picocli's converter for --source. */
    static final class InputConverter implements CommandLine.ITypeConverter<InputChoice> {
        @Override
        public InputChoice convert(String value) {
            try {
                return InputChoice.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Picocli's converter for --sink. */
    static final class OutputConverter implements CommandLine.ITypeConverter<OutputChoice> {
        @Override
        public OutputChoice convert(String value) {
            try {
                return OutputChoice.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /**
     * Runs the desktop client; exits only with a usage error or without a display (the window's
     * close button ends the program otherwise).
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        int code = new CommandLine(new TipGui()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }
}
