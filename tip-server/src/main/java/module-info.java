/**
 * TIP server: the voice relay that an application embeds through {@code TipServer.builder()}.
 */
module dev.tip.server {
    requires transitive dev.tip.core;
    requires org.slf4j;
    requires java.management;
    // the relay thread's allocation counter (com.sun.management.ThreadMXBean), for statistics
    requires static jdk.management;

    exports dev.tip.server;
}
