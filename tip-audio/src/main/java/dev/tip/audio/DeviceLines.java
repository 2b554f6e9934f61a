package dev.tip.audio;

import dev.tip.core.voice.AudioFormat;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.DataLine;
import javax.sound.sampled.LineUnavailableException;
import javax.sound.sampled.Mixer;
import javax.sound.sampled.SourceDataLine;
import javax.sound.sampled.TargetDataLine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and opens a capture or playback line at a rate the device offers, trying the rate asked
 * for first and then common device rates (most devices offer no 20 kHz). Thread-safe (stateless).
 */
final class DeviceLines {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceLines.class);

    /** Rates tried after the one asked for, most common first. */
    private static final int[] DEVICE_RATES = {48_000, 44_100, 32_000, 22_050, 16_000, 96_000, 24_000, 8_000};

    /** An opened (not yet started) line and the PCM format it was opened with. */
    record Opened(DataLine line, AudioFormat format, String deviceName) {}

    private DeviceLines() {}

    static Opened open(boolean capture, AudioFormat wanted, String deviceName, int bufferMillis) {
        String kind = capture ? "capture" : "playback";
        String alternatives = capture
                ? "a source of " + AudioDevices.SOURCE_ALTERNATIVES
                : "a sink of " + AudioDevices.SINK_ALTERNATIVES;
        List<AudioDevice> devices = capture ? AudioDevices.capture() : AudioDevices.playback();
        if (devices.isEmpty()) {
            throw new AudioDeviceException(
                    "No audio " + kind + " device on this machine (Java Sound lists none). Use " + alternatives
                            + " instead.",
                    null);
        }
        List<Mixer.Info> mixers = new ArrayList<>();
        if (deviceName == null || deviceName.isBlank()) {
            mixers.add(null); // Java Sound's default device first
            mixers.addAll(AudioDevices.matching("", capture));
        } else {
            mixers.addAll(AudioDevices.matching(deviceName.trim(), capture));
            if (mixers.isEmpty()) {
                throw new AudioDeviceException(
                        "No audio " + kind + " device named '" + deviceName + "'. Devices: "
                                + devices.stream().map(AudioDevice::name).collect(Collectors.joining(", "))
                                + ". Or use " + alternatives + ".",
                        null);
            }
        }
        Class<?> lineType = capture ? TargetDataLine.class : SourceDataLine.class;
        Set<Integer> rates = new LinkedHashSet<>();
        rates.add(wanted.sampleRate());
        for (int r : DEVICE_RATES) {
            rates.add(r);
        }
        int[] channelChoices = {wanted.channels(), 3 - wanted.channels()};
        Exception last = null;
        for (Mixer.Info mixerInfo : mixers) {
            for (int rate : rates) {
                for (int channels : channelChoices) {
                    javax.sound.sampled.AudioFormat pcm =
                            new javax.sound.sampled.AudioFormat(rate, 16, channels, true, false);
                    DataLine.Info info = new DataLine.Info(lineType, pcm);
                    try {
                        Mixer mixer = mixerInfo == null ? null : AudioSystem.getMixer(mixerInfo);
                        boolean supported =
                                mixer == null ? AudioSystem.isLineSupported(info) : mixer.isLineSupported(info);
                        if (!supported) {
                            continue;
                        }
                        DataLine line = (DataLine) (mixer == null ? AudioSystem.getLine(info) : mixer.getLine(info));
                        int samplesPerFrame = Math.max(1, rate / 100); // 10 ms device frames
                        AudioFormat deviceFormat = new AudioFormat(rate, channels, 16, samplesPerFrame);
                        int bufferBytes = Math.max(
                                4 * deviceFormat.frameBytes(), rate * pcm.getFrameSize() * bufferMillis / 1000);
                        if (line instanceof TargetDataLine) {
                            ((TargetDataLine) line).open(pcm, bufferBytes);
                        } else {
                            ((SourceDataLine) line).open(pcm, bufferBytes);
                        }
                        String name = mixerInfo == null ? "default" : mixerInfo.getName();
                        LOG.info("Opened {} device {} at {}", kind, name, pcm);
                        return new Opened(line, deviceFormat, name);
                    } catch (LineUnavailableException | IllegalArgumentException | SecurityException e) {
                        last = e; // busy or refused at this format: try the next one
                    }
                }
            }
        }
        String which =
                deviceName == null || deviceName.isBlank() ? "the default " + kind + " device" : "'" + deviceName + "'";
        throw new AudioDeviceException(
                "Could not open " + which + " for 16-bit PCM at any of " + rates + " Hz"
                        + (last == null ? "" : " (" + last.getMessage() + ")") + ". Use " + alternatives + " instead.",
                last);
    }
}
