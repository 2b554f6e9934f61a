/**
 * TIP server: the voice relay that an application embeds through {@code TipServer.builder()}.
 */
module dev.tip.server {
    requires transitive dev.tip.core;
    requires org.slf4j;
    requires java.management;

    // exports dev.tip.server; (added with TipServer)
}
