package dev.tip.testing;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Closes what a test opened (servers, clients, proxies), newest first, after each test, whether
 * it passed or not: {@code @RegisterExtension final Closer toClose = new Closer();} then
 * {@code TipServer s = toClose.add(server)}. The first failure to close is thrown after the rest
 * were closed too. Confined to the test's thread.
 */
public final class Closer implements AfterEachCallback {

    private final List<AutoCloseable> open = new ArrayList<>();

    /**
     * Closes {@code c} after the test.
     *
     * @param c what to close
     * @param <T> its type
     * @return {@code c}
     */
    public <T extends AutoCloseable> T add(T c) {
        open.add(c);
        return c;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Exception first = null;
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        open.clear();
        if (first != null) {
            throw first;
        }
    }
}
