package dev.tip.cli;

import picocli.CommandLine;

/**
 * A short usage error for the commands: the message and where to find the options, exit status 2,
 * instead of picocli's full usage text. Thread-safe (stateless).
 */
final class UsageErrors implements CommandLine.IParameterExceptionHandler {

    static final int EXIT_CODE = 2;

    private UsageErrors() {
    }

    /**
     * Installs the handler on a command line.
     *
     * @param commandLine the command's own command line
     * @return the same command line
     */
    static CommandLine install(CommandLine commandLine) {
        return commandLine.setParameterExceptionHandler(new UsageErrors());
    }

    @Override
    public int handleParseException(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        cl.getErr().println(cl.getCommandName() + ": " + e.getMessage());
        cl.getErr().println("Run '" + cl.getCommandName() + " --help' for the options.");
        cl.getErr().flush();
        return EXIT_CODE;
    }
}
