package dev.tip.gui;

import com.formdev.flatlaf.FlatLightLaf;
import java.awt.GraphicsEnvironment;
import java.util.concurrent.Callable;
import javax.swing.JFrame;
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

    @Override
    public Integer call() {
        if (GraphicsEnvironment.isHeadless()) {
            System.err.println("tip-gui: no display (headless); use the command line client: tip client --help");
            return 1;
        }
        FlatLightLaf.setup();
        SwingUtilities.invokeLater(() -> {
            JFrame frame = new JFrame("TIP");
            frame.setDefaultCloseOperation(JFrame.EXIT_ON_CLOSE);
            frame.setSize(480, 360);
            frame.setVisible(true);
        });
        return 0;
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
