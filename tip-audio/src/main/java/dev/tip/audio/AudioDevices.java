package dev.tip.audio;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.DataLine;
import javax.sound.sampled.Line;
import javax.sound.sampled.Mixer;
import javax.sound.sampled.SourceDataLine;
import javax.sound.sampled.TargetDataLine;

/**
 * Lists the capture and playback devices Java Sound offers (what {@code tip devices} prints).
 * Works headless and on machines without sound hardware (the lists are then empty).
 * Thread-safe (stateless; every call asks Java Sound again).
 *
 * <pre>{@code
 * for (AudioDevice d : AudioDevices.capture()) System.out.println(d.name());
 * System.out.print(AudioDevices.describe());
 * }</pre>
 */
public final class AudioDevices {
    /** Sources that need no device, named as the CLI spells them. */
    public static final String SOURCE_ALTERNATIVES = "wav:FILE, tone:HZ or silence";

    /** Sinks that need no device, named as the CLI spells them. */
    public static final String SINK_ALTERNATIVES = "wav:FILE or null";

    private AudioDevices() {}

    /**
     * Returns the devices that can record.
     *
     * @return capture devices, in Java Sound's order; empty if there are none
     */
    public static List<AudioDevice> capture() {
        return list(true);
    }

    /**
     * Returns the devices that can play.
     *
     * @return playback devices, in Java Sound's order; empty if there are none
     */
    public static List<AudioDevice> playback() {
        return list(false);
    }

    /**
     * Returns a human-readable listing of both kinds of devices, one per line, saying what to
     * use instead when a kind has none.
     *
     * @return the listing, ending with a line break
     */
    public static String describe() {
        StringBuilder out = new StringBuilder();
        append(out, "Capture devices", capture(), "none; use a source of " + SOURCE_ALTERNATIVES);
        append(out, "Playback devices", playback(), "none; use a sink of " + SINK_ALTERNATIVES);
        return out.toString();
    }

    private static void append(StringBuilder out, String title, List<AudioDevice> devices, String none) {
        out.append(title).append(':').append(System.lineSeparator());
        if (devices.isEmpty()) {
            out.append("  (").append(none).append(')').append(System.lineSeparator());
        }
        for (AudioDevice d : devices) {
            out.append("  ")
                    .append(d.name())
                    .append(" - ")
                    .append(d.description())
                    .append(" [")
                    .append(d.formats())
                    .append(']')
                    .append(System.lineSeparator());
        }
    }

    private static List<AudioDevice> list(boolean capture) {
        Class<?> lineType = capture ? TargetDataLine.class : SourceDataLine.class;
        List<AudioDevice> devices = new ArrayList<>();
        for (Mixer.Info info : mixers()) {
            Mixer mixer;
            try {
                mixer = AudioSystem.getMixer(info);
            } catch (RuntimeException e) {
                continue; // a mixer that vanished or whose driver fails is simply not listed
            }
            Line.Info[] lines = capture ? mixer.getTargetLineInfo() : mixer.getSourceLineInfo();
            List<javax.sound.sampled.AudioFormat> formats = new ArrayList<>();
            boolean hasDataLine = false;
            for (Line.Info line : lines) {
                if (line instanceof DataLine.Info && lineType.isAssignableFrom(line.getLineClass())) {
                    hasDataLine = true;
                    formats.addAll(List.of(((DataLine.Info) line).getFormats()));
                }
            }
            if (hasDataLine) {
                devices.add(new AudioDevice(info.getName(), describe(info), capture, summarize(formats)));
            }
        }
        return devices;
    }

    static Mixer.Info[] mixers() {
        try {
            return AudioSystem.getMixerInfo();
        } catch (RuntimeException | LinkageError e) {
            // a broken sound provider means no devices, not a crash of the caller
            return new Mixer.Info[0];
        }
    }

    private static String describe(Mixer.Info info) {
        StringBuilder s = new StringBuilder(info.getDescription());
        if (!info.getVendor().isEmpty() && !info.getDescription().contains(info.getVendor())) {
            s.append(", ").append(info.getVendor());
        }
        return s.toString();
    }

    static String summarize(List<javax.sound.sampled.AudioFormat> formats) {
        TreeSet<Integer> bits = new TreeSet<>();
        TreeSet<Integer> channels = new TreeSet<>();
        TreeSet<Integer> rates = new TreeSet<>();
        boolean anyRate = false;
        for (javax.sound.sampled.AudioFormat f : formats) {
            if (!f.getEncoding().equals(javax.sound.sampled.AudioFormat.Encoding.PCM_SIGNED)) {
                continue;
            }
            bits.add(f.getSampleSizeInBits());
            if (f.getChannels() > 0) {
                channels.add(f.getChannels());
            }
            if (f.getSampleRate() == AudioSystem.NOT_SPECIFIED) {
                anyRate = true;
            } else {
                rates.add(Math.round(f.getSampleRate()));
            }
        }
        if (bits.isEmpty()) {
            return "no signed PCM formats";
        }
        StringBuilder s = new StringBuilder();
        s.append(join(bits)).append("-bit signed, ");
        s.append(channels.isEmpty() ? "any" : channels.first() + (channels.size() > 1 ? "-" + channels.last() : ""))
                .append(" ch, ");
        s.append(anyRate || rates.isEmpty() ? "any rate" : join(rates) + " Hz");
        return s.toString();
    }

    private static String join(TreeSet<Integer> values) {
        StringBuilder s = new StringBuilder();
        for (Integer v : values) {
            if (s.length() > 0) {
                s.append('/');
            }
            s.append(v);
        }
        return s.toString();
    }

    /** Returns the mixers with a data line of the wanted kind whose name matches {@code name}. */
    static List<Mixer.Info> matching(String name, boolean capture) {
        String wanted = name.toLowerCase(Locale.ROOT);
        List<Mixer.Info> exact = new ArrayList<>();
        List<Mixer.Info> partial = new ArrayList<>();
        for (AudioDevice d : list(capture)) {
            for (Mixer.Info info : mixers()) {
                if (info.getName().equals(d.name())) {
                    if (d.name().equalsIgnoreCase(name)) {
                        exact.add(info);
                    } else if (d.name().toLowerCase(Locale.ROOT).contains(wanted)) {
                        partial.add(info);
                    }
                    break;
                }
            }
        }
        return exact.isEmpty() ? partial : exact;
    }
}
