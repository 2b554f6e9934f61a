package dev.tip.cli;

import dev.tip.server.Ban;
import dev.tip.server.Participant;
import dev.tip.server.RoomInfo;
import dev.tip.server.ServerStatistics;
import dev.tip.server.TipServer;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;

/**
 * The {@code tip server} console: one command per line (STOP, LIST, ROOMS, STATS, KICK, BAN,
 * BANIP, UNBAN, BANS, MUTE, UNMUTE, MOVE, HELP), case-insensitive, answered on the given stream.
 * Confined to the thread that feeds it lines.
 */
final class ServerConsole {

    static final String HELP = "Commands: STOP (SERVER_CLOSE to all, exit), LIST (users), ROOMS (rooms and counts),"
            + " STATS (counters), KICK <id> [reason], BAN <nickname> [minutes|0] [reason],"
            + " BANIP <address> [minutes|0] [reason], UNBAN <nickname|address>, BANS, MUTE <id>, UNMUTE <id>,"
            + " MOVE <id> <room>, HELP";

    private final TipServer server;
    private final PrintStream out;

    ServerConsole(TipServer server, PrintStream out) {
        this.server = server;
        this.out = out;
    }

    /**
     * Carries out one line.
     *
     * @param line the line
     * @return false for STOP (the caller stops the server), true otherwise
     */
    boolean handle(String line) {
        String[] words = line.trim().split("\\s+", 4);
        String command = words[0].toUpperCase(Locale.ROOT);
        switch (command) {
            case "" -> {}
            case "STOP" -> {
                return false;
            }
            case "LIST" -> {
                for (Participant u : server.users()) {
                    // the original's format: ID=0 ADDR=('127.0.0.1', 50432) NAME=John STATUS=True
                    out.println("ID=" + u.id() + " ADDR=('"
                            + u.controlAddress().getAddress().getHostAddress() + "', "
                            + u.controlAddress().getPort() + ") NAME=" + u.name() + " STATUS=True"
                            + (u.voiceAddress() == null
                                    ? ""
                                    : " VOICE=" + u.voiceAddress().getPort())
                            + " ROOM=" + u.room()
                            + (u.muted() ? " MUTED" : ""));
                }
            }
            case "ROOMS" -> {
                for (RoomInfo r : server.rooms()) {
                    out.println("ROOM=" + r.name() + " USERS=" + r.members()
                            + (r.maxUsers() > 0 ? " LIMIT=" + r.maxUsers() : "")
                            + (r.passwordProtected() ? " PASSWORD" : "")
                            + (r.permanent() ? "" : " CREATED"));
                }
            }
            case "STATS" -> printStats(server.statistics(), server, out);
            case "KICK" -> {
                Integer id = id(words, "KICK <id> [reason]");
                if (id != null) {
                    String reason = words.length > 2 ? join(words, 2) : "Kicked";
                    out.println(server.kick(id, reason) ? "kicked " + id : "no user with id " + id);
                }
            }
            case "MUTE", "UNMUTE" -> {
                Integer id = id(words, command + " <id>");
                if (id != null) {
                    boolean mute = command.equals("MUTE");
                    boolean done = mute ? server.mute(id) : server.unmute(id);
                    out.println(done ? (mute ? "muted " : "unmuted ") + id : "no user with id " + id);
                }
            }
            case "MOVE" -> {
                Integer id = words.length >= 3 ? id(words, "MOVE <id> <room>") : null;
                if (words.length < 3) {
                    out.println("usage: MOVE <id> <room>");
                } else if (id != null) {
                    out.println(
                            server.move(id, words[2]) ? "moving " + id + " to " + words[2] : "no user with id " + id);
                }
            }
            case "BAN", "BANIP" -> ban(command.equals("BAN"), words);
            case "UNBAN" -> {
                if (words.length < 2) {
                    out.println("usage: UNBAN <nickname|address>");
                } else {
                    server.unban(Ban.Kind.NICKNAME, words[1]);
                    server.unban(Ban.Kind.ADDRESS, words[1]);
                    out.println("unbanned " + words[1]);
                }
            }
            case "BANS" -> {
                for (Ban b : server.bans()) {
                    out.println(b.kind() + " " + b.value() + " UNTIL=" + (b.until() == null ? "forever" : b.until())
                            + (b.reason() == null ? "" : " REASON=" + b.reason()));
                }
            }
            case "HELP" -> out.println(HELP);
            default -> out.println("Unknown command " + words[0] + "; type HELP");
        }
        out.flush();
        return true;
    }

    private void ban(boolean nickname, String[] words) {
        if (words.length < 2) {
            out.println("usage: " + (nickname ? "BAN <nickname>" : "BANIP <address>") + " [minutes|0] [reason]");
            return;
        }
        Duration duration = null;
        int reasonAt = 2;
        if (words.length > 2) {
            try {
                long minutes = Long.parseLong(words[2]);
                duration = minutes > 0 ? Duration.ofMinutes(minutes) : null;
                reasonAt = 3;
            } catch (NumberFormatException e) {
                // no duration: the rest is the reason
            }
        }
        String reason = words.length > reasonAt ? join(words, reasonAt) : null;
        String until = duration == null ? "for ever" : "for " + duration.toMinutes() + " min";
        if (nickname) {
            server.ban(words[1], duration, reason);
            out.println("banned nickname " + words[1] + " " + until);
        } else {
            try {
                server.banAddress(InetAddress.getByName(words[1]), duration, reason);
                out.println("banned address " + words[1] + " " + until);
            } catch (UnknownHostException e) {
                out.println("BANIP: not an address: " + words[1]);
            }
        }
    }

    private static String join(String[] words, int from) {
        return String.join(" ", java.util.Arrays.copyOfRange(words, from, words.length));
    }

    private Integer id(String[] words, String usage) {
        if (words.length < 2) {
            out.println("usage: " + usage);
            return null;
        }
        try {
            return Integer.parseInt(words[1]);
        } catch (NumberFormatException e) {
            out.println(words[0].toUpperCase(Locale.ROOT) + ": not an id: " + words[1]);
            return null;
        }
    }

    static void printStats(ServerStatistics s, TipServer server, PrintStream out) {
        out.printf(
                Locale.ROOT,
                "users=%d rooms=%d connections accepted=%d refused=%d%n",
                s.users(),
                server.rooms().size(),
                s.connectionsAccepted(),
                s.connectionsRefused());
        for (RoomInfo r : server.rooms()) {
            out.printf(Locale.ROOT, "  room %s: %d user(s)%n", r.name(), r.members());
        }
        out.printf(
                Locale.ROOT,
                "datagrams received=%d (%d bytes) relayed=%d (%d bytes)%n",
                s.datagramsReceived(),
                s.bytesReceived(),
                s.datagramsRelayed(),
                s.bytesRelayed());
        out.printf(
                Locale.ROOT,
                "dropped: unknown sender=%d greeting=%d too long=%d send failed=%d muted=%d%n",
                s.droppedUnknownSender(),
                s.droppedProbe(),
                s.droppedTooLong(),
                s.droppedSendFailed(),
                s.droppedMuted());
        out.printf(
                Locale.ROOT,
                "TIP/2: dropped malformed=%d bad token=%d wrong session=%d wrong address=%d"
                        + " forged=%d replayed=%d; voice addresses learned=%d, HELLO_ACK sent=%d%n",
                s.droppedMalformed(),
                s.droppedBadToken(),
                s.droppedWrongSession(),
                s.droppedWrongAddress(),
                s.droppedForged(),
                s.droppedReplayed(),
                s.voiceAddressesLearned(),
                s.helloAcksSent());
        out.printf(
                Locale.ROOT,
                "control messages received=%d sent=%d, protocol errors=%d, roster deltas=%d, rosters coalesced=%d,"
                        + " relay thread allocated=%d bytes%n",
                s.controlMessagesReceived(),
                s.controlMessagesSent(),
                s.protocolErrors(),
                s.rosterDeltasSent(),
                s.rostersCoalesced(),
                s.relayAllocatedBytes());
        out.printf(
                Locale.ROOT,
                "limits: voice rate-limited=%d, socket failures=%d, pending evicted=%d, renames unchanged=%d"
                        + " limited=%d, rosters replaced=%d, CLIENT_PORT limited=%d refused=%d,"
                        + " log lines suppressed=%d%n",
                s.droppedRateLimited(),
                s.voiceSocketFailures(),
                s.pendingConnectionsEvicted(),
                s.renamesUnchanged(),
                s.renamesLimited(),
                s.rostersReplaced(),
                s.clientPortChangesLimited(),
                s.clientPortsRefused(),
                s.logLinesSuppressed());
        out.printf(
                Locale.ROOT,
                "tunnel: members now=%d datagrams in=%d out=%d, dropped slow reader=%d inbound=%d;"
                        + " sessions resumed=%d, resumes refused=%d%n",
                s.tunnelledMembers(),
                s.tunnelDatagramsIn(),
                s.tunnelDatagramsOut(),
                s.tunnelDroppedOverflow(),
                s.tunnelDroppedInbound(),
                s.sessionsResumed(),
                s.resumesRefused());
    }
}
