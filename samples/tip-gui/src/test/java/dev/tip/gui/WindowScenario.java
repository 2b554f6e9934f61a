package dev.tip.gui;

import dev.tip.audio.ToneSource;
import dev.tip.core.TipClient;
import dev.tip.gui.CallState.Member;
import dev.tip.server.TipServer;
import dev.tip.testing.Await;
import java.awt.Component;
import java.awt.Container;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.image.BufferedImage;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.prefs.Preferences;
import javax.imageio.ImageIO;
import javax.swing.AbstractButton;
import javax.swing.JLabel;
import javax.swing.JList;
import javax.swing.JTextField;
import javax.swing.ListModel;
import javax.swing.SwingUtilities;

/**
 * The window as a person uses it, run by {@link WindowTest} in a JVM of its own on a display
 * (Xvfb): types the nickname, presses Connect, sees a second member in the roster, mutes, takes a
 * screenshot, presses Disconnect; the server tells whether each step happened. Exit status 0 when
 * every check passed, 1 otherwise (the reason on standard error).
 */
public final class WindowScenario {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private WindowScenario() {}

    /**
     * Runs the scenario.
     *
     * @param args the screenshot's path
     */
    public static void main(String[] args) {
        int code;
        try {
            run(Path.of(args[0]));
            System.out.println("window scenario: all checks passed");
            code = 0;
        } catch (Throwable t) {
            t.printStackTrace();
            code = 1;
        }
        System.exit(code);
    }

    private static void run(Path screenshot) throws Exception {
        Preferences node = Preferences.userRoot().node("dev/tip/gui-test/" + UUID.randomUUID());
        List<AutoCloseable> open = new ArrayList<>();
        try (TipServer server = TipServer.builder()
                .port(0)
                .bindAddress(InetAddress.getLoopbackAddress())
                .jmx(false)
                .build()
                .start()) {
            String address = "127.0.0.1:" + server.tcpPort();
            TipGui options = TipGui.parse("--server", address, "--source", "tone:440", "--sink", "null");
            AtomicReference<MainWindow> ref = new AtomicReference<>();
            SwingUtilities.invokeAndWait(
                    () -> ref.set(options.open(new GuiPreferences(node), Presenter.Config.DEFAULT, false)));
            MainWindow window = ref.get();
            open.add(() -> SwingUtilities.invokeAndWait(window::dispose));

            // the connect view: type the nickname, press Connect
            onEdt(() -> {
                JTextField nick = find(window, "nick", JTextField.class);
                nick.requestFocusInWindow();
                nick.setText("ann");
                find(window, "connect", AbstractButton.class).doClick();
                return null;
            });
            await("the server has ann", () -> server.users().stream()
                    .anyMatch(u -> u.name().equals("ann")));
            step("joined: the server has ann");

            // a second member, who talks: the roster in the window shows them, speaking
            TipClient bob = TipClient.builder()
                    .server("127.0.0.1", server.tcpPort())
                    .nickname("bob")
                    .audioSource(new ToneSource(TipClient.ROOM_FORMAT, 660, 0.2))
                    .build();
            open.add(bob);
            bob.connect();
            await("the window's roster shows bob", () -> onEdt(() -> names(window))
                    .contains("bob"));
            await("the window shows bob speaking", () -> onEdt(() -> speaking(window))
                    .contains("bob"));
            step("roster in the window: " + onEdt(() -> names(window)));

            // ann's tone reaches bob; Mute stops it
            LongSupplier heard = () -> bob.statistics().framesReceived();
            awaitGrowing("bob hears ann", heard);
            await("ann shows as speaking", () -> onEdt(() -> speaking(window)).contains("ann"));
            capture(window, screenshot);
            step("screenshot " + screenshot);
            onEdt(() -> {
                find(window, "mute", AbstractButton.class).doClick();
                return null;
            });
            awaitStill("bob no longer hears ann (muted)", heard);
            step("muted: bob hears nothing more");
            String hint = onEdt(() -> find(window, "talkHint", JLabel.class).getText());
            check(hint.contains("Muted"), "the window says it is muted, was: " + hint);
            onEdt(() -> {
                find(window, "mute", AbstractButton.class).doClick();
                return null;
            });
            awaitGrowing("bob hears ann again (unmuted)", heard);
            step("unmuted: bob hears ann again");

            // Disconnect leaves the room and shows the connect view
            onEdt(() -> {
                find(window, "disconnect", AbstractButton.class).doClick();
                return null;
            });
            await("ann left the server", () -> server.users().stream()
                    .noneMatch(u -> u.name().equals("ann")));
            await("the connect view says so", () -> onEdt(
                            () -> find(window, "message", JLabel.class).getText())
                    .contains("You left"));
            step("disconnected: the server no longer has ann");
        } finally {
            for (AutoCloseable c : open) {
                c.close();
            }
            node.removeNode();
        }
    }

    private static void step(String what) {
        System.out.println("window scenario: " + what);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    private static List<String> names(MainWindow window) {
        List<String> names = new ArrayList<>();
        ListModel<?> model = find(window, "roster", JList.class).getModel();
        for (int i = 0; i < model.getSize(); i++) {
            names.add(((Member) model.getElementAt(i)).name());
        }
        return names;
    }

    private static List<String> speaking(MainWindow window) {
        List<String> names = new ArrayList<>();
        ListModel<?> model = find(window, "roster", JList.class).getModel();
        for (int i = 0; i < model.getSize(); i++) {
            Member m = (Member) model.getElementAt(i);
            if (m.speaking()) {
                names.add(m.name());
            }
        }
        return names;
    }

    private static void capture(MainWindow window, Path file) throws Exception {
        SwingUtilities.invokeAndWait(() -> {}); // the last states are drawn
        Rectangle bounds = onEdt(() -> new Rectangle(window.getLocationOnScreen(), window.getSize()));
        BufferedImage image = new Robot().createScreenCapture(bounds);
        Files.createDirectories(file.toAbsolutePath().getParent());
        ImageIO.write(image, "png", file.toFile());
    }

    private static <T extends Component> T find(Container root, String name, Class<T> type) {
        T found = search(root, name, type);
        if (found == null) {
            throw new AssertionError("no " + type.getSimpleName() + " named " + name);
        }
        return found;
    }

    private static <T extends Component> T search(Container root, String name, Class<T> type) {
        for (Component c : root.getComponents()) {
            if (name.equals(c.getName()) && type.isInstance(c)) {
                return type.cast(c);
            }
            if (c instanceof Container inner) {
                T found = search(inner, name, type);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static <T> T onEdt(Supplier<T> s) {
        AtomicReference<T> result = new AtomicReference<>();
        try {
            SwingUtilities.invokeAndWait(() -> result.set(s.get()));
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new AssertionError(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return result.get();
    }

    private static void await(String what, BooleanSupplier condition) {
        Await.until(what, WAIT, condition);
    }

    private static void awaitGrowing(String what, LongSupplier counter) {
        long start = counter.getAsLong();
        await(what, () -> counter.getAsLong() >= start + 10);
    }

    /** Waits until the counter has not moved for a whole observation window (voice stopped). */
    private static void awaitStill(String what, LongSupplier counter) {
        await(what, () -> {
            long before = counter.getAsLong();
            long end = System.nanoTime() + Duration.ofMillis(400).toNanos();
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
                if (counter.getAsLong() != before) {
                    return false;
                }
            }
            return true;
        });
    }
}
