package dev.tip.core.audio;

import dev.tip.core.voice.AudioFormat;

/**
 * A compressed voice codec that TIP/2 peers can negotiate (docs/protocol.md, "Codecs"): a
 * service that tip-core finds with {@link java.util.ServiceLoader} (tip-audio provides Opus), or
 * that an application names in the client's or the server's builder. Raw PCM needs no codec.
 *
 * <p>Codecs work in the room's format on the PCM side: an encoder takes {@link #packetSamples}
 * samples at the room's rate for each packet and a decoder gives as many back, resampling inside
 * where the codec's own rate differs (Opus runs at 48 kHz, a room of the original dialect at
 * 20 kHz), so the jitter buffers and the mix only ever see the room's rate. Encoders and decoders
 * keep state between packets: one per sending client, one per speaker heard; each is confined to
 * one thread.
 */
public interface VoiceCodec {

    /**
     * The codecs on the class or module path ({@link java.util.ServiceLoader}), Opus first where
     * tip-audio is present; what a client offers and a server uses unless its builder says
     * otherwise. A provider that fails to load is left out.
     *
     * @return the codecs, best first; empty without tip-audio
     */
    static java.util.List<VoiceCodec> available() {
        java.util.List<VoiceCodec> found = new java.util.ArrayList<>();
        java.util.Iterator<VoiceCodec> it =
                java.util.ServiceLoader.load(VoiceCodec.class).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(it.next());
            } catch (java.util.ServiceConfigurationError e) {
                // a broken provider: PCM and the other codecs still work
            }
        }
        found.sort(java.util.Comparator.comparing((VoiceCodec c) -> !c.name().equals("opus")));
        return java.util.List.copyOf(found);
    }

    /**
     * The codec's name in the handshake, lower case ({@code "opus"}).
     *
     * @return the name
     */
    String name();

    /**
     * The TIP/2 payload type of its packets ({@link dev.tip.core.voice.PayloadType#OPUS}).
     *
     * @return the payload type
     */
    int payloadType();

    /**
     * The rate of the packet timestamps, in Hz (48000 for Opus, as RFC 7587 has it).
     *
     * @return the clock rate
     */
    int clockRate();

    /**
     * How many timestamp units one packet covers (960 for 20 ms of Opus).
     *
     * @return the packet's duration in clock-rate samples
     */
    int packetDuration();

    /**
     * How many samples of a room at this format one packet carries.
     *
     * @param room the room's PCM format
     * @return samples per packet at the room's rate (400 for 20 ms at 20 kHz)
     */
    default int packetSamples(AudioFormat room) {
        return (int) ((long) packetDuration() * room.sampleRate() / clockRate());
    }

    /**
     * Tells whether rooms of this format can use the codec: the packet's duration must be a whole
     * number of the room's samples.
     *
     * @param room the room's PCM format
     * @return true if it can
     */
    default boolean supports(AudioFormat room) {
        return room.channels() == 1 && (long) packetDuration() * room.sampleRate() % clockRate() == 0;
    }

    /**
     * Makes an encoder for one sender.
     *
     * @param room the room's PCM format
     * @param bitrate the target bitrate in bits per second
     * @return a new encoder
     */
    Encoder newEncoder(AudioFormat room, int bitrate);

    /**
     * Makes a decoder for one speaker.
     *
     * @param room the room's PCM format
     * @return a new decoder
     */
    Decoder newDecoder(AudioFormat room);

    /** Turns the room's samples into packets. Confined to one thread. */
    interface Encoder {
        /**
         * Encodes one packet's samples.
         *
         * @param pcm {@code packetSamples(room)} samples at the room's rate from {@code offset}
         * @param offset where they start
         * @param packet where the packet goes
         * @param packetOffset where in {@code packet} it starts
         * @return the packet's length in bytes; at most {@link #maxPacketBytes()}
         */
        int encode(short[] pcm, int offset, byte[] packet, int packetOffset);

        /**
         * Tells whether a packet of this length is only the codec's silence (DTX), which a sender
         * need not send.
         *
         * @param length a packet's length from {@link #encode}
         * @return true for silence
         */
        boolean isSilence(int length);

        /**
         * The longest packet the encoder writes.
         *
         * @return bytes
         */
        int maxPacketBytes();

        /**
         * Changes the target bitrate.
         *
         * @param bitrate bits per second, clamped to what the codec supports
         */
        void setBitrate(int bitrate);

        /**
         * The target bitrate now.
         *
         * @return bits per second
         */
        int bitrate();

        /**
         * Tells the encoder how much loss the receivers see, so that it protects packets (Opus
         * in-band FEC) accordingly.
         *
         * @param percent 0..100
         */
        void setPacketLossPercent(int percent);
    }

    /** Turns one speaker's packets back into the room's samples. Confined to one thread. */
    interface Decoder {
        /**
         * Decodes one packet.
         *
         * @param packet the packet's bytes
         * @param offset where it starts
         * @param length its length
         * @param pcm where {@code packetSamples(room)} samples go
         * @return true if decoded; false for a corrupt packet (nothing usable written)
         */
        boolean decode(byte[] packet, int offset, int length, short[] pcm);

        /**
         * Rebuilds a lost packet from the in-band FEC of the packet that followed it. Where that
         * packet carries none (Opus codes FEC only for voiced SILK frames, and only when its
         * encoder expects loss), or cannot be read, it returns false and leaves the decoder as
         * it was, so that the caller conceals the gap its own way, then decodes the next packet.
         *
         * @param next the packet after the lost one
         * @param offset where it starts
         * @param length its length
         * @param pcm where the lost packet's samples go
         * @return true if the lost packet's samples are in {@code pcm}; false if the next packet
         *     holds no FEC for it or is corrupt (nothing usable written)
         */
        boolean recover(byte[] next, int offset, int length, short[] pcm);

        /**
         * Conceals one lost packet with the codec's own loss concealment.
         *
         * @param pcm where {@code packetSamples(room)} samples go
         */
        void conceal(short[] pcm);
    }
}
