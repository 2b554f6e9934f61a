package dev.tip.core.internal.client;

import dev.tip.core.DialectPreference;
import dev.tip.core.SessionListener;
import dev.tip.core.TipClock;
import dev.tip.core.audio.AudioSink;
import dev.tip.core.audio.AudioSource;
import dev.tip.core.audio.VoiceCodec;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;

/**
 * A client's configuration, produced once by {@code TipClient.Builder} and immutable from then on:
 * every part of the client reads its settings here.
 *
 * @param host the server's host name or address
 * @param port the server's TCP port (its UDP port has the same number)
 * @param nickname the nickname to join with, already checked
 * @param source the audio to send, or null for a listen-only client
 * @param sink where the room's voice is played, or null
 * @param listener the application's listener
 * @param listenerExecutor where listener callbacks run, or null for a thread of the client's own
 * @param dialectPreference whether TIP/2 is offered
 * @param connectTimeout time allowed to open the TCP connection
 * @param handshakeTimeout time allowed from the connection to SESSION
 * @param keepaliveInterval TIP/2: time without voice sent after which a KEEPALIVE goes out
 * @param clock paces voice and stamps arrivals
 * @param threadFactory makes every thread of the client
 * @param localAddress the local address to bind, or null for the system's choice
 * @param maxPlayoutFrames the original dialect's playout queue bound
 * @param codecs TIP/2: the codecs offered besides PCM, best first
 * @param voiceBitrate TIP/2: the codec's bitrate the client wants (the server's cap may lower it)
 * @param encryptVoice TIP/2: whether the client offers a KEY_SHARE (sealed voice with a server that
 *     answers one)
 * @param voiceTunnel TIP/2: whether the client offers to send voice through the control connection
 *     when UDP does not get through ({@code "TUNNEL": 1})
 * @param name the client's name in thread names and logs, {@code tip-client-N}
 */
public record ClientConfig(
        String host,
        int port,
        String nickname,
        AudioSource source,
        AudioSink sink,
        SessionListener listener,
        Executor listenerExecutor,
        DialectPreference dialectPreference,
        Duration connectTimeout,
        Duration handshakeTimeout,
        Duration keepaliveInterval,
        TipClock clock,
        ThreadFactory threadFactory,
        InetAddress localAddress,
        int maxPlayoutFrames,
        List<VoiceCodec> codecs,
        int voiceBitrate,
        boolean encryptVoice,
        boolean voiceTunnel,
        String name) {

    /** Copies the list. */
    public ClientConfig {
        codecs = List.copyOf(codecs);
    }

    /**
     * The offered codec of this name.
     *
     * @param codecName a name from SESSION
     * @return the codec, or null for PCM or a name not offered
     */
    public VoiceCodec codec(String codecName) {
        for (VoiceCodec c : codecs) {
            if (c.name().equals(codecName)) {
                return c;
            }
        }
        return null;
    }

    /** @return the names of the offered codecs, best first */
    public List<String> codecNames() {
        return codecs.stream().map(VoiceCodec::name).toList();
    }

    /**
     * Makes a thread of this client, named {@code tip-client-N-ROLE}.
     *
     * @param body what the thread runs
     * @param role the thread's role, such as {@code control} or {@code capture}
     * @return the thread, not started
     */
    public Thread newThread(Runnable body, String role) {
        Thread t = threadFactory.newThread(body);
        t.setName(name + "-" + role);
        return t;
    }
}
