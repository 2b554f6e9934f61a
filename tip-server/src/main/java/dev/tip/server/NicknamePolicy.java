package dev.tip.server;

import dev.tip.core.protocol.TipProtocol;
import java.util.Collection;

/**
 * Decides whether a nickname is accepted. A rejected client gets DISCONNECT with the returned
 * reason and its connection is closed. Implementations must be thread-safe and fast: the server
 * calls them on its control thread.
 *
 * <p>{@link #ORIGINAL_CLIENT} (the default) applies the rules of the original client: not empty,
 * shorter than 20 characters, no control characters. It allows duplicate names, as the original
 * server does (users are told apart by their session id). {@link #UNIQUE} also rejects a name
 * already in use, compared exactly.
 */
@FunctionalInterface
public interface NicknamePolicy {

    /** Longest nickname the original client accepts, plus one: names must be shorter. */
    int ORIGINAL_MAX_LENGTH = TipProtocol.MAX_NICKNAME_LENGTH + 1;

    /** The original client's rules; duplicates allowed. */
    NicknamePolicy ORIGINAL_CLIENT = (name, inUse) -> originalClientRule(name);

    /** The original client's rules, and no two users with the same name. */
    NicknamePolicy UNIQUE = (name, inUse) -> {
        String reason = originalClientRule(name);
        if (reason == null && inUse.contains(name)) {
            return "Nickname already in use";
        }
        return reason;
    };

    /**
     * Checks a nickname.
     *
     * @param name the nickname the client sent
     * @param inUse the names of the users connected now (not including this client's own)
     * @return null to accept, or the reason for the DISCONNECT
     */
    String rejectionReason(String name, Collection<String> inUse);

    /**
     * The original client's check, in words an original client can show.
     *
     * @param name the nickname
     * @return null if valid, else why not
     */
    static String originalClientRule(String name) {
        return TipProtocol.nicknameProblem(name);
    }
}
