package dev.tip.cli;

import dev.tip.audio.AudioDevices;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tip devices}: lists the capture and playback devices Java Sound offers, and what to use
 * when there are none. Exit status 0, devices or not. Confined to the thread that runs it.
 */
@Command(
        name = "devices",
        description = "Run 'tip devices --help' for the options.")
public final class DevicesCommand implements Callable<Integer> {

    // Picocli parses the options in a CommandLine of this command's own: the tip command maps every
    // exception to exit status 1, and a bad argument must give status 2 (exitCodeOnInvalidInput).
    @CommandLine.Spec
    CommandLine.Model.CommandSpec outer;

    @CommandLine.Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        CommandLine inner = UsageErrors.install(new CommandLine(new Devices()));
        inner.setOut(outer.commandLine().getOut());
        inner.setErr(outer.commandLine().getErr());
        return inner.execute(args.toArray(new String[0]));
    }

    @Command(
            name = "tip devices",
            mixinStandardHelpOptions = true,
            exitCodeOnInvalidInput = 2,
            description = {
                "Lists the audio capture and playback devices (names usable as mic:NAME and speaker:NAME "
                        + "in 'tip client'), or says what to use instead when there are none.",
                "Exit status: 0 (also when there are no devices), 2 bad arguments.",
                ""
            })
    static final class Devices implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().print(AudioDevices.describe());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
