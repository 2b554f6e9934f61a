package dev.tip.cli;

import dev.tip.audio.AudioDevices;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tip devices}: lists the capture and playback devices Java Sound offers, and what to use
 * when there are none. Exit status 0, devices or not. Confined to the thread that runs it.
 */
@Command(
        name = "devices",
        mixinStandardHelpOptions = true,
        exitCodeOnInvalidInput = 2,
        description = {
            "Lists the audio capture and playback devices (names usable as mic:NAME and speaker:NAME "
                    + "in 'tip client'), or says what to use instead when there are none.",
            "Exit status: 0 (also when there are no devices), 2 bad arguments.",
            ""
        })
public final class DevicesCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(AudioDevices.describe());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
