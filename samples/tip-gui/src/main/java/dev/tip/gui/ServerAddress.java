package dev.tip.gui;

import dev.tip.core.TipClient;

/**
 * A server address as typed in the connect view: {@code HOST:PORT} or {@code HOST} (port 9999),
 * an IPv6 literal in brackets ({@code [::1]:9999}). Immutable and thread-safe.
 *
 * @param host a host name or address literal (without brackets)
 * @param port 1..65535
 */
public record ServerAddress(String host, int port) {

    /**
     * Parses what the user typed.
     *
     * @param text the field's text
     * @return the address
     * @throws IllegalArgumentException with a sentence for the user saying what is wrong
     */
    public static ServerAddress parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("Type the server's address, for example 127.0.0.1:9999.");
        }
        boolean bracketed = t.startsWith("[") && t.endsWith("]");
        if (!bracketed && t.indexOf(':') < 0) {
            return new ServerAddress(t, TipClient.DEFAULT_PORT);
        }
        if (bracketed && t.length() > 2) {
            return new ServerAddress(t.substring(1, t.length() - 1), TipClient.DEFAULT_PORT);
        }
        int colon = t.lastIndexOf(':');
        if (colon <= 0 || colon == t.length() - 1) {
            throw new IllegalArgumentException("'" + t + "' is not HOST:PORT (for example 127.0.0.1:9999).");
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("Write an IPv6 address in brackets, for example [::1]:9999.");
        }
        if (host.isBlank()) {
            throw new IllegalArgumentException("'" + t + "' names no host; write HOST:PORT.");
        }
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("The port '" + t.substring(colon + 1) + "' is not a number.");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("The port must be 1 to 65535, not " + port + ".");
        }
        return new ServerAddress(host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
