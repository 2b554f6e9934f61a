package dev.tip.gui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the real window ({@link WindowScenario}) on a display: a private Xvfb when one is
 * installed (always on CI: {@code .ci/run} installs it), else the display in {@code DISPLAY};
 * skipped, saying why, when there is neither.
 *
 * <p>Why a JVM of its own: a JVM cannot change its own environment, and Java's X11 toolkit
 * reads the display only from {@code DISPLAY}; and which display number is free is known only
 * once Xvfb has taken one ({@code -displayfd}). So this test starts Xvfb, reads its number, and
 * starts the scenario in a child JVM with {@code DISPLAY} set and {@code -Djava.awt.headless=false},
 * on this test's class path. Every wait is bounded; the child and Xvfb are always ended.
 */
class WindowTest {
    private static final long CHILD_SECONDS = 150;
    private static final long XVFB_SECONDS = 20;

    @Test
    @Timeout(200)
    void theWindowJoinsShowsTheRosterMutesAndLeaves() throws Exception {
        Process xvfb = null;
        String display;
        if (onPath("Xvfb")) {
            xvfb = new ProcessBuilder("Xvfb", "-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            display = ":" + readDisplayNumber(xvfb);
        } else {
            display = System.getenv("DISPLAY");
            Assumptions.assumeTrue(
                    display != null && !display.isBlank(),
                    "skipped: no display (DISPLAY is unset) and no Xvfb on PATH; install xvfb to run the window test");
        }
        Path screenshot = Path.of("target", "screenshot.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        Process child = null;
        try {
            String java =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            List<String> command = new ArrayList<>(List.of(
                    java,
                    "-Djava.awt.headless=false",
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                    "-cp",
                    classPath,
                    WindowScenario.class.getName(),
                    screenshot.toString()));
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            Map<String, String> env = pb.environment();
            env.put("DISPLAY", display);
            child = pb.start();
            Process running = child;
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(running.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "(output lost: " + e + ")";
                }
            });
            boolean ended = child.waitFor(CHILD_SECONDS, TimeUnit.SECONDS);
            if (!ended) {
                child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String out = output.get(10, TimeUnit.SECONDS);
            System.out.println(out);
            assertThat(ended)
                    .as("the window scenario ended within %d s; its output:%n%s", CHILD_SECONDS, out)
                    .isTrue();
            assertThat(child.exitValue())
                    .as("the window scenario's exit status; its output:%n%s", out)
                    .isZero();
            assertThat(out).contains("window scenario: all checks passed");
            assertThat(screenshot).exists();
            assertThat(Files.size(screenshot)).isGreaterThan(1000);
        } finally {
            if (child != null && child.isAlive()) {
                child.destroyForcibly();
            }
            if (xvfb != null) {
                xvfb.destroy();
                if (!xvfb.waitFor(XVFB_SECONDS, TimeUnit.SECONDS)) {
                    xvfb.destroyForcibly();
                }
            }
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /** Xvfb writes the display number it took, and a line break, once it is ready. */
    private static String readDisplayNumber(Process xvfb) throws Exception {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader r =
                        new BufferedReader(new InputStreamReader(xvfb.getInputStream(), StandardCharsets.US_ASCII));
                return r.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String n;
        try {
            n = line.get(XVFB_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            xvfb.destroyForcibly();
            throw new AssertionError("Xvfb did not report a display within " + XVFB_SECONDS + " s");
        }
        if (n == null || !n.trim().matches("\\d+")) {
            xvfb.destroyForcibly();
            throw new AssertionError("Xvfb did not start (it reported '" + n + "')");
        }
        return n.trim();
    }
}
