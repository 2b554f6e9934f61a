package dev.tip.bench;

import dev.tip.core.voice.PayloadType;
import dev.tip.core.voice.VoiceDatagram;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Encoding then decoding the TIP/2 voice header of a PCM datagram. Baseline: the same with
 * {@link ByteBuffer}'s relative big-endian puts and gets and a record per decoded header, as one
 * would write without a flyweight.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class VoiceHeaderBenchmark {

    /** A decoded header, as a plain value. */
    record Header(int version, boolean marker, int payloadType, int senderId, int sequence, long timestamp) {}

    private ByteBuffer buffer;
    private VoiceDatagram datagram;
    private int seq;

    /** A direct buffer of one PCM datagram. */
    @Setup(Level.Trial)
    public void setUp() {
        buffer = ByteBuffer.allocateDirect(VoiceDatagram.HEADER_LENGTH + 1024);
        datagram = new VoiceDatagram();
    }

    /**
     * Writes a header with the flyweight, then validates and reads it back.
     *
     * @return a checksum of the fields, so that the work is not eliminated
     */
    @Benchmark
    public long encodeDecode() {
        int s = seq++;
        datagram.wrap(buffer, 0, buffer.capacity()).writeHeader((s & 63) == 0, PayloadType.PCM, 3, s, s * 512L);
        VoiceDatagram d = datagram.wrap(buffer, 0, buffer.capacity());
        if (d.check() != VoiceDatagram.OK) {
            return -1;
        }
        return d.sequence() + d.timestamp() + d.senderId() + (d.marker() ? 1 : 0) + d.payloadLength();
    }

    /**
     * The same with relative ByteBuffer access and a record per decoded header.
     *
     * @return a checksum of the fields, so that the work is not eliminated
     */
    @Benchmark
    public long encodeDecodeBaseline() {
        int s = seq++;
        buffer.clear();
        buffer.put((byte) (0x80 | ((s & 63) == 0 ? 0x20 : 0)))
                .put((byte) PayloadType.PCM)
                .putShort((short) 3)
                .putShort((short) s)
                .putInt(s * 512);
        buffer.flip();
        byte flags = buffer.get();
        Header h = new Header(
                (flags & 0xC0) >>> 6,
                (flags & 0x20) != 0,
                buffer.get() & 0xFF,
                buffer.getShort() & 0xFFFF,
                buffer.getShort() & 0xFFFF,
                buffer.getInt() & 0xFFFF_FFFFL);
        if (h.version() != 2) {
            return -1;
        }
        return h.sequence() + h.timestamp() + h.senderId() + (h.marker() ? 1 : 0) + (1024);
    }
}
