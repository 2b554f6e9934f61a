package dev.tip.cli;

import picocli.CommandLine;

/**
 * A short usage error for the commands: the message, picocli's "Did you mean" suggestions for a
 * mistyped name, and where to find the options, exit status 2, instead of picocli's full usage text. Thread-safe (stateless).
 */
final class UsageErrors implements CommandLine.IParameterExceptionHandler {

    static final int EXIT_CODE = 2;

    private UsageErrors() {}

    /**
     * Installs the handler on a command line.
     *
     * @param commandLine the command line; subcommands registered before the call get it too
     * @return the same command line
     */
    static CommandLine install(CommandLine commandLine) {
        return commandLine.setParameterExceptionHandler(new UsageErrors());
    }

    @Override
    public int handleParseException(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        String name = cl.getCommandSpec().qualifiedName();
        cl.getErr().println(name + ": " + e.getMessage());
        // picocli's "Did you mean ..." for a mistyped option or subcommand
        CommandLine.UnmatchedArgumentException.printSuggestions(e, cl.getErr());
        cl.getErr().println("Run '" + name + " --help' for the options.");
        cl.getErr().flush();
        return EXIT_CODE;
    }
}
