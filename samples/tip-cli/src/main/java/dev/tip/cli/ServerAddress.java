package dev.tip.cli;

import picocli.CommandLine;

/**
 * What {@code --server} names: {@code HOST:PORT} or {@code HOST} (the default port 9999), with an
 * IPv6 literal in brackets ({@code [::1]:9999}, {@code [::1]}). Immutable and thread-safe.
 *
 * @param host a host name or address literal (without brackets)
 * @param port 1..65535
 */
record ServerAddress(String host, int port) {

    /**
     * Parses {@code HOST:PORT}, or {@code HOST} with {@code defaultPort}.
     *
     * @param text the option's value
     * @param defaultPort the port when the text names none
     * @return the address
     * @throws IllegalArgumentException naming what is wrong
     */
    static ServerAddress parse(String text, int defaultPort) {
        String t = text.trim();
        boolean bracketed = t.startsWith("[") && t.endsWith("]");
        if (!t.isEmpty() && !bracketed && t.indexOf(':') < 0) {
            return new ServerAddress(t, defaultPort);
        }
        if (bracketed && t.length() > 2) {
            return new ServerAddress(t.substring(1, t.length() - 1), defaultPort);
        }
        int colon = t.lastIndexOf(':');
        if (colon <= 0 || colon == t.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not HOST[:PORT] (for example 127.0.0.1:9999)");
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException(
                    "'" + text + "': write an IPv6 address in brackets, for example [::1]:9999");
        }
        if (host.isBlank()) {
            throw new IllegalArgumentException("'" + text + "' names no host; write HOST:PORT");
        }
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': the port is not a number");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("'" + text + "': the port must be 1..65535");
        }
        return new ServerAddress(host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** Picocli's converter: a bad address becomes a usage error naming the option. */
    static final class Converter implements CommandLine.ITypeConverter<ServerAddress> {
        @Override
        public ServerAddress convert(String value) {
            try {
                return parse(value, dev.tip.core.TipClient.DEFAULT_PORT);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
