/** A consumer of TIP as a module: what a JPMS application writes. */
module consumer {
    requires dev.tip.server;
    requires dev.tip.audio;
}
