package dev.tip.server.internal;

import dev.tip.server.Ban;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's bans (by nickname or IP address, each until a time or for ever), kept in a small
 * text file when the operator names one, so that they survive a restart. The file has one ban per
 * line: {@code nickname|address <TAB> value <TAB> until-epoch-millis or - <TAB> reason or -}, the
 * value and reason percent-encoded (UTF-8); lines starting with {@code #} are comments. It is
 * rewritten whole (to a temporary file, then moved over) on every change; expired bans are left
 * out. A file that cannot be read at start is reported and the server starts without its bans; a
 * line that cannot be parsed is skipped and logged.
 *
 * <p>Threading: confined to the control thread.
 */
final class BanList {

    private static final Logger LOG = LoggerFactory.getLogger(BanList.class);
    /** The REASON a banned client's DISCONNECT starts with. */
    static final String BANNED = "Banned";

    private final Path file;
    private final Clock clock;
    private final ArrayList<Ban> bans = new ArrayList<>();

    /**
     * Creates the list and reads {@code file}, if given and present.
     *
     * @param file where bans are kept, or null to keep them in memory only
     * @param clock the time, for expiry
     */
    BanList(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
        if (file != null && Files.exists(file)) {
            try {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    Ban b = parse(line);
                    if (b != null && b.activeAt(clock.instant())) {
                        bans.add(b);
                    }
                }
                LOG.info("{} ban(s) read from {}", bans.size(), file);
            } catch (IOException | RuntimeException e) {
                LOG.error("cannot read the ban file {}: {}; starting without its bans", file, e.toString());
            }
        }
    }

    /** The bans in force now. */
    List<Ban> bans() {
        expire();
        return List.copyOf(bans);
    }

    /**
     * Adds a ban (replacing one of the same kind and value) and saves the file.
     *
     * @param ban the ban
     */
    void add(Ban ban) {
        bans.removeIf(b -> b.kind() == ban.kind() && b.value().equals(ban.value()));
        bans.add(ban);
        save();
    }

    /**
     * Lifts the ban of that kind and value, if any, and saves the file.
     *
     * @return true if there was one
     */
    boolean remove(Ban.Kind kind, String value) {
        boolean removed = bans.removeIf(b -> b.kind() == kind && b.value().equals(value));
        if (removed) {
            save();
        }
        return removed;
    }

    /**
     * The REASON a client with this nickname and address is refused with, or null if no ban
     * matches it.
     */
    String refusal(String nickname, InetSocketAddress remote) {
        if (bans.isEmpty()) {
            return null;
        }
        Instant now = clock.instant();
        String address = remote.getAddress().getHostAddress();
        for (Ban b : bans) {
            if (!b.activeAt(now)) {
                continue;
            }
            boolean hit = b.kind() == Ban.Kind.NICKNAME
                    ? b.value().equals(nickname)
                    : b.value().equals(address);
            if (hit) {
                return BANNED + (b.reason() == null ? "" : ": " + b.reason());
            }
        }
        return null;
    }

    /** True if {@code ban} matches this member (to kick it when the ban is made). */
    static boolean matches(Ban ban, String nickname, InetSocketAddress remote) {
        return ban.kind() == Ban.Kind.NICKNAME
                ? ban.value().equals(nickname)
                : ban.value().equals(remote.getAddress().getHostAddress());
    }

    private void expire() {
        Instant now = clock.instant();
        if (bans.removeIf(b -> !b.activeAt(now))) {
            save();
        }
    }

    private void save() {
        if (file == null) {
            return;
        }
        StringBuilder text = new StringBuilder("# TIP server bans: kind, value, until (epoch ms or -), reason\n");
        Instant now = clock.instant();
        for (Ban b : bans) {
            if (b.activeAt(now)) {
                text.append(format(b)).append('\n');
            }
        }
        try {
            Path dir = file.toAbsolutePath().getParent();
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            LOG.error("cannot write the ban file {}: {}", file, e.toString());
        }
    }

    static String format(Ban b) {
        return (b.kind() == Ban.Kind.NICKNAME ? "nickname" : "address")
                + '\t'
                + encode(b.value())
                + '\t'
                + (b.until() == null ? "-" : Long.toString(b.until().toEpochMilli()))
                + '\t'
                + (b.reason() == null ? "-" : encode(b.reason()));
    }

    static Ban parse(String line) {
        if (line.isBlank() || line.startsWith("#")) {
            return null;
        }
        String[] f = line.split("\t", -1);
        try {
            if (f.length != 4) {
                throw new IllegalArgumentException("4 tab-separated fields expected");
            }
            Ban.Kind kind =
                    switch (f[0]) {
                        case "nickname" -> Ban.Kind.NICKNAME;
                        case "address" -> Ban.Kind.ADDRESS;
                        default -> throw new IllegalArgumentException("unknown kind " + f[0]);
                    };
            Instant until = f[2].equals("-") ? null : Instant.ofEpochMilli(Long.parseLong(f[2]));
            String reason = f[3].equals("-") ? null : decode(f[3]);
            return new Ban(kind, decode(f[1]), until, reason);
        } catch (RuntimeException e) {
            LOG.warn("ban file: skipped a line that cannot be read ({})", e.getMessage());
            return null;
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
