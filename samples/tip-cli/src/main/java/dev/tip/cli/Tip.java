package dev.tip.cli;

import dev.tip.core.TipVersion;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tip} command: one executable jar with a subcommand per job. */
@Command(
        name = "tip",
        mixinStandardHelpOptions = true,
        versionProvider = Tip.Version.class,
        description = "TIP voice chat: server, client, demo and load tools.",
        subcommands = {
            CommandLine.HelpCommand.class,
            ServerCommand.class,
            ClientCommand.class,
            DemoCommand.class,
            LoadCommand.class,
            DevicesCommand.class
        })
public final class Tip implements java.util.concurrent.Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** {@code tip} without a command: the usage on standard error, exit status 2 (a usage error). */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        spec.commandLine().getErr().flush();
        return UsageErrors.EXIT_CODE;
    }

    /**
     * Runs the command line and exits with its status (2 for a usage error).
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        Logs.configure(args); // before picocli creates the commands, whose classes create loggers
        System.exit(commandLine().execute(args));
    }

    /** {@code tip --version}: the version the build wrote into tip-core. Thread-safe (stateless). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"tip " + TipVersion.version(), "Java ${java.version} (${java.vendor})"};
        }
    }

    static CommandLine commandLine() {
        // picocli's defaults: 2 for a usage error (a message and the usage, no stack trace), 1 when a
        // command fails
        return UsageErrors.install(new CommandLine(new Tip()));
    }
}
