package dev.tip.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version of the TIP libraries on the class or module path, as the build wrote it (for example
 * {@code 0.1.0} or {@code 0.1.0-SNAPSHOT}). Immutable and thread-safe.
 */
public final class TipVersion {

    private static final String VERSION = load();

    private TipVersion() {}

    /**
     * The version of TIP this tip-core jar was built as.
     *
     * @return the version, never empty
     */
    public static String version() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = TipVersion.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                throw new IllegalStateException("tip-core is missing dev/tip/core/version.properties");
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "").trim();
            if (v.isEmpty() || v.startsWith("${")) {
                throw new IllegalStateException("tip-core's version.properties was not filtered: '" + v + "'");
            }
            return v;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
