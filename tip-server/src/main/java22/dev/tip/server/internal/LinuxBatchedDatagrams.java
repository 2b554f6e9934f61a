package dev.tip.server.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link BatchedDatagrams} on Linux through the Foreign Function and Memory API (Java 22+):
 * {@code recvmmsg} into {@link #IN} receive slots, {@code sendmmsg} of up to {@link #OUT} queued
 * copies, {@code poll} on the socket and an {@code eventfd} (the wake-up) when nothing is queued.
 *
 * <p>Memory: everything lives in one shared arena made at {@link #open}: the receive slots, the
 * {@code mmsghdr}, {@code iovec} and socket-address arrays of both directions, a copy area for
 * copies of buffers that are not a receive slot (sealed copies, the mix, HELLO_ACKs), and one
 * {@code sockaddr} per session id, written when a member's address is bound. Native functions take
 * raw addresses as {@code long}, so that no call allocates a segment; a copy of the datagram being
 * routed is queued as a pointer into its slot (no copy), so one datagram's K-1 copies share its
 * bytes as in the C reference relay.
 *
 * <p>The socket is unconnected and bound without {@code SO_REUSEADDR}: no other socket can bind
 * the port while the server runs.
 *
 * <p>Threading: confined to the relay thread, except {@link #wakeup()}.
 */
final class LinuxBatchedDatagrams implements BatchedDatagrams {

    private static final Logger LOG = LoggerFactory.getLogger(LinuxBatchedDatagrams.class);

    /** Datagrams per {@code recvmmsg}. */
    static final int IN = 64;
    /** Copies per {@code sendmmsg} at most (the kernel's UIO_MAXIOV). */
    static final int OUT = 1024;
    /** Copies of buffers other than a receive slot queued before a flush. */
    static final int COPIES = 256;
    /** Times a flush waits for room in the send buffer (1 ms each) before dropping the rest. */
    static final int SEND_WAITS = 8;

    // Linux (x86-64 and AArch64 share these)
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_NONBLOCK = 0x800;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_SNDBUF = 7;
    private static final int SO_RCVBUF = 8;
    private static final int IPPROTO_IPV6 = 41;
    private static final int IPV6_V6ONLY = 26;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int ENOBUFS = 105;
    private static final int EADDRINUSE = 98;
    private static final short POLLIN = 1;
    private static final short POLLOUT = 4;
    private static final short POLLERR = 8;
    private static final int EFD_NONBLOCK = 0x800;
    private static final int EFD_CLOEXEC = 0x80000;

    // struct mmsghdr (LP64): msghdr (56 bytes) then msg_len, padded to 64
    private static final long MMSG = 64;
    private static final long MSG_NAME = 0;
    private static final long MSG_NAMELEN = 8;
    private static final long MSG_IOV = 16;
    private static final long MSG_IOVLEN = 24;
    private static final long MSG_FLAGS = 48;
    private static final long MSG_LEN = 56;
    private static final long IOVEC = 16;
    /** Room for a sockaddr_in6 (28 bytes), rounded up. */
    private static final long NAME = 32;

    private static final int SOCKADDR_IN = 16;
    private static final int SOCKADDR_IN6 = 28;
    private static final ValueLayout.OfShort PORT = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong BE_LONG =
            JAVA_LONG.withOrder(ByteOrder.BIG_ENDIAN).withByteAlignment(1);
    private static final ValueLayout.OfInt BE_INT =
            JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN).withByteAlignment(1);

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final long ERRNO_OFFSET =
            Linker.Option.captureStateLayout().byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    private static final long STATE_BYTES = Linker.Option.captureStateLayout().byteSize();

    private static final MethodHandle SOCKET = call("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle SETSOCKOPT =
            call("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT);
    private static final MethodHandle BIND = call("bind", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT);
    /*
     * The calls of the datagram path capture no errno: the JDK's capture check makes a segment per
     * call (seen in a JFR allocation profile). A call that fails is repeated through its capturing
     * twin (SENDMMSG_ERRNO), which allocates, to learn why: only on the failure path.
     */
    private static final MethodHandle RECVMMSG =
            fast("recvmmsg", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG);
    private static final MethodHandle SENDMMSG = fast("sendmmsg", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT);
    private static final MethodHandle SENDMMSG_ERRNO =
            call("sendmmsg", JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT);
    private static final MethodHandle POLL = fast("poll", JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT);
    private static final MethodHandle EVENTFD = call("eventfd", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle READ = fast("read", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG);
    /** Without errno capture: called by other threads, which must not share the state segment. */
    private static final MethodHandle WRITE = LINKER.downcallHandle(
            LIBC.find("write").orElseThrow(), FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));

    private static final MethodHandle CLOSE =
            LINKER.downcallHandle(LIBC.find("close").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    /** The eventfd increment every wake-up writes; never freed, never written. */
    private static final MemorySegment ONE = Arena.global().allocate(JAVA_LONG);

    static {
        ONE.set(JAVA_LONG, 0, 1L);
    }

    private final Arena arena = Arena.ofShared();
    private final Counters counters;
    private final int fd;
    private final int efd;
    private final boolean v6;
    private final int slotBytes;
    private final MemorySegment state;
    private final MemorySegment scratch;
    private final MemorySegment pollfds;
    private final long pollfdsAddress;
    private final long scratchAddress;

    // receive side
    private final ByteBuffer[] slots = new ByteBuffer[IN];
    private final long[] slotAddress = new long[IN];
    private final MemorySegment rmsg;
    private final long rmsgAddress;
    private final MemorySegment rnames;
    private final AddressIndex index;
    private ByteBuffer routed;
    private long routedAddress;

    // send side
    private final MemorySegment smsg;
    private final long smsgAddress;
    private final MemorySegment snames;
    private final MemorySegment siov;
    private final MemorySegment copies;
    private final ByteBuffer copyView;
    private int queued;
    private int copiesUsed;

    // per session id: its sockaddr and its index key
    private final MemorySegment names;
    private final int[] nameLength;
    private final long[] keyHi;
    private final long[] keyLo;
    private final int[] keyPort;
    private final Member[] keyed;

    private final Object closing = new Object();
    private boolean closed;

    private static MethodHandle call(String name, ValueLayout result, ValueLayout... args) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), FunctionDescriptor.of(result, args), ERRNO);
    }

    private static MethodHandle fast(String name, ValueLayout result, ValueLayout... args) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), FunctionDescriptor.of(result, args));
    }

    /**
     * Opens the socket bound to {@code address:port} and everything around it, or returns null
     * where native access is not enabled for this module (no warning is then printed: the relay
     * uses NIO).
     *
     * @param address the bind address (wildcard for all interfaces)
     * @param port the port
     * @param family the socket's family
     * @param socketBufferBytes SO_RCVBUF and SO_SNDBUF, 0 for the system's
     * @param slotBytes bytes per receive slot ({@link Routing#bufferBytes})
     * @param maxUsers highest session id plus one
     * @param counters where failed sends are counted
     * @return the socket, or null
     * @throws IOException if the port cannot be bound (a {@link BindException})
     */
    public static BatchedDatagrams open(
            InetAddress address,
            int port,
            ProtocolFamily family,
            int socketBufferBytes,
            int slotBytes,
            int maxUsers,
            Counters counters)
            throws IOException {
        if (!LinuxBatchedDatagrams.class.getModule().isNativeAccessEnabled()) {
            LOG.debug(
                    "native access is not enabled for {}: batched datagram I/O is off (--enable-native-access)",
                    LinuxBatchedDatagrams.class.getModule());
            return null;
        }
        return new LinuxBatchedDatagrams(address, port, family, socketBufferBytes, slotBytes, maxUsers, counters);
    }

    private LinuxBatchedDatagrams(
            InetAddress address,
            int port,
            ProtocolFamily family,
            int socketBufferBytes,
            int slotBytes,
            int maxUsers,
            Counters counters)
            throws IOException {
        this.counters = counters;
        this.slotBytes = slotBytes;
        this.v6 = family == StandardProtocolFamily.INET6;
        this.index = new AddressIndex(maxUsers);
        this.state = arena.allocate(STATE_BYTES, 8);
        this.scratch = arena.allocate(64, 8);
        this.scratchAddress = scratch.address();
        this.pollfds = arena.allocate(16, 8);
        this.pollfdsAddress = pollfds.address();
        int s = -1;
        int e = -1;
        try {
            s = (int) SOCKET.invokeExact(state, v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            check(s, "socket");
            if (v6) {
                // dual stack, as DatagramChannel.open(INET6)
                setInt(s, IPPROTO_IPV6, IPV6_V6ONLY, 0, "IPV6_V6ONLY");
            }
            if (socketBufferBytes > 0) {
                setInt(s, SOL_SOCKET, SO_RCVBUF, socketBufferBytes, "SO_RCVBUF");
                setInt(s, SOL_SOCKET, SO_SNDBUF, socketBufferBytes, "SO_SNDBUF");
            }
            scratch.fill((byte) 0);
            int len = sockaddr(scratch, 0, address, port);
            int r = (int) BIND.invokeExact(state, s, scratchAddress, len);
            if (r < 0) {
                int errno = errno();
                BindException b = new BindException("bind " + address.getHostAddress() + ":" + port + ": errno " + errno
                        + (errno == EADDRINUSE ? " (address in use)" : ""));
                throw b;
            }
            e = (int) EVENTFD.invokeExact(state, 0, EFD_NONBLOCK | EFD_CLOEXEC);
            check(e, "eventfd");
        } catch (IOException | RuntimeException | Error x) {
            closeFd(s);
            closeFd(e);
            arena.close();
            throw x;
        } catch (Throwable t) {
            closeFd(s);
            closeFd(e);
            arena.close();
            throw new IOException(t);
        }
        this.fd = s;
        this.efd = e;
        pollfds.set(JAVA_INT, 0, fd);
        pollfds.set(JAVA_INT, 8, efd);

        MemorySegment data = arena.allocate((long) IN * slotBytes, 64);
        rmsg = arena.allocate(IN * MMSG, 8).fill((byte) 0);
        rmsgAddress = rmsg.address();
        rnames = arena.allocate(IN * NAME, 8).fill((byte) 0);
        MemorySegment riov = arena.allocate(IN * IOVEC, 8);
        for (int i = 0; i < IN; i++) {
            MemorySegment slot = data.asSlice((long) i * slotBytes, slotBytes);
            slots[i] = slot.asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            slotAddress[i] = slot.address();
            riov.set(JAVA_LONG, i * IOVEC, slot.address() + Routing.HEAD);
            riov.set(JAVA_LONG, i * IOVEC + 8, slotBytes - Routing.HEAD);
            rmsg.set(JAVA_LONG, i * MMSG + MSG_NAME, rnames.address() + i * NAME);
            rmsg.set(JAVA_LONG, i * MMSG + MSG_IOV, riov.address() + i * IOVEC);
            rmsg.set(JAVA_LONG, i * MMSG + MSG_IOVLEN, 1);
        }

        smsg = arena.allocate(OUT * MMSG, 8).fill((byte) 0);
        smsgAddress = smsg.address();
        snames = arena.allocate(OUT * NAME, 8).fill((byte) 0);
        siov = arena.allocate(OUT * IOVEC, 8).fill((byte) 0);
        for (int i = 0; i < OUT; i++) {
            smsg.set(JAVA_LONG, i * MMSG + MSG_NAME, snames.address() + i * NAME);
            smsg.set(JAVA_LONG, i * MMSG + MSG_IOV, siov.address() + i * IOVEC);
            smsg.set(JAVA_LONG, i * MMSG + MSG_IOVLEN, 1);
        }
        copies = arena.allocate((long) COPIES * slotBytes, 64);
        copyView = copies.asByteBuffer();

        names = arena.allocate(maxUsers * NAME, 8).fill((byte) 0);
        nameLength = new int[maxUsers];
        keyHi = new long[maxUsers];
        keyLo = new long[maxUsers];
        keyPort = new int[maxUsers];
        keyed = new Member[maxUsers];
        LOG.debug("batched datagram I/O (recvmmsg/sendmmsg) on {}:{}", address.getHostAddress(), port);
    }

    private void setInt(int s, int level, int option, int value, String what) throws Throwable {
        scratch.set(JAVA_INT, 0, value);
        int r = (int) SETSOCKOPT.invokeExact(state, s, level, option, scratchAddress, 4);
        check(r, what);
    }

    private void check(int r, String what) throws IOException {
        if (r < 0) {
            throw new IOException(what + " failed: errno " + errno());
        }
    }

    private int errno() {
        return state.get(JAVA_INT, ERRNO_OFFSET);
    }

    /** Writes the sockaddr of {@code address:port} for this socket's family at {@code at}. */
    private int sockaddr(MemorySegment to, long at, InetAddress address, int port) {
        if (!v6) {
            to.set(JAVA_SHORT, at, (short) AF_INET);
            to.set(PORT, at + 2, (short) port);
            byte[] b = address.getAddress();
            MemorySegment.copy(b, 0, to, JAVA_BYTE, at + 4, 4);
            return SOCKADDR_IN;
        }
        to.set(JAVA_SHORT, at, (short) AF_INET6);
        to.set(PORT, at + 2, (short) port);
        to.set(JAVA_INT, at + 4, 0);
        to.set(BE_LONG, at + 8, AddressIndex.hi(address));
        to.set(BE_LONG, at + 16, AddressIndex.lo(address));
        to.set(JAVA_INT, at + 24, address instanceof Inet6Address a6 ? a6.getScopeId() : 0);
        return SOCKADDR_IN6;
    }

    @Override
    public int capacity() {
        return IN;
    }

    @Override
    public int receive(long timeoutMillis) throws IOException {
        int n = receiveNow();
        if (n > 0 || timeoutMillis == 0) {
            return n;
        }
        int timeout = timeoutMillis < 0 ? -1 : (int) Math.min(Integer.MAX_VALUE, timeoutMillis);
        pollfds.set(JAVA_SHORT, 4, POLLIN);
        pollfds.set(JAVA_SHORT, 6, (short) 0);
        pollfds.set(JAVA_SHORT, 12, POLLIN);
        pollfds.set(JAVA_SHORT, 14, (short) 0);
        int r;
        try {
            r = (int) POLL.invokeExact(pollfdsAddress, 2L, timeout);
        } catch (Throwable t) {
            throw new IOException(t);
        }
        // r < 0: a signal interrupted it (its other errors are for bad arguments): receive anyway
        if (r > 0 && (pollfds.get(JAVA_SHORT, 6) & POLLERR) != 0) {
            // an error queued on the socket (an ICMP report, say): the next receive returns and
            // clears it; nothing to relay
            Counters.add(counters.droppedSendFailed, 1);
        }
        if (r > 0 && pollfds.get(JAVA_SHORT, 14) != 0) {
            try {
                long ignored = (long) READ.invokeExact(efd, scratchAddress, 8L);
                assert ignored == 8 || ignored < 0;
            } catch (Throwable t) {
                throw new IOException(t);
            }
        }
        return receiveNow();
    }

    private int receiveNow() throws IOException {
        routed = null;
        for (int i = 0; i < IN; i++) {
            rmsg.set(JAVA_INT, i * MMSG + MSG_NAMELEN, (int) NAME);
            rmsg.set(JAVA_INT, i * MMSG + MSG_FLAGS, 0);
        }
        int n;
        try {
            // -1: nothing queued (EAGAIN), as a rule; an error queued on the socket shows in poll
            n = (int) RECVMMSG.invokeExact(fd, rmsgAddress, IN, MSG_DONTWAIT, 0L);
        } catch (Throwable t) {
            throw new IOException(t);
        }
        return Math.max(0, n);
    }

    /** The member whose address is the sockaddr at {@code at} in the receive names. */
    private Member lookUp(long at) {
        int family = rnames.get(JAVA_SHORT, at);
        int port = rnames.get(PORT, at + 2) & 0xFFFF;
        if (family == AF_INET) {
            long lo = AddressIndex.V4_LO_PREFIX | (rnames.get(BE_INT, at + 4) & 0xFFFF_FFFFL);
            return index.get(AddressIndex.V4_HI, lo, port);
        }
        if (family == AF_INET6) {
            return index.get(rnames.get(BE_LONG, at + 8), rnames.get(BE_LONG, at + 16), port);
        }
        return null;
    }

    @Override
    public ByteBuffer buffer(int i) {
        routed = slots[i];
        routedAddress = slotAddress[i];
        return routed;
    }

    @Override
    public int length(int i) {
        return rmsg.get(JAVA_INT, i * MMSG + MSG_LEN);
    }

    @Override
    public Member sender(int i) {
        // looked up when routed, not when received: a datagram earlier in the batch may have moved
        // an address
        return lookUp(i * NAME);
    }

    @Override
    public InetSocketAddress senderAddress(int i) {
        long at = i * NAME;
        int family = rnames.get(JAVA_SHORT, at);
        int port = rnames.get(PORT, at + 2) & 0xFFFF;
        byte[] b;
        if (family == AF_INET) {
            b = rnames.asSlice(at + 4, 4).toArray(JAVA_BYTE);
        } else if (family == AF_INET6) {
            b = rnames.asSlice(at + 8, 16).toArray(JAVA_BYTE);
        } else {
            return null;
        }
        try {
            // an IPv4-mapped address comes back as an Inet4Address, as DatagramChannel reports it
            InetAddress a = InetAddress.getByAddress(b);
            return new InetSocketAddress(a, port);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    @Override
    public int send(Member to, ByteBuffer datagram) {
        int len = datagram.remaining();
        if (queued == OUT) {
            flush();
        }
        long base;
        if (datagram == routed) {
            // a slice of the datagram being routed: its slot stays untouched until the next receive
            base = routedAddress + datagram.position();
        } else {
            if (copiesUsed == COPIES || len > slotBytes) {
                flush();
                if (len > slotBytes) {
                    return -1;
                }
            }
            long off = (long) copiesUsed++ * slotBytes;
            copyView.put((int) off, datagram, datagram.position(), len);
            base = copies.address() + off;
        }
        int e = queued++;
        MemorySegment.copy(names, to.id * NAME, snames, e * NAME, NAME);
        smsg.set(JAVA_INT, e * MMSG + MSG_NAMELEN, nameLength[to.id]);
        siov.set(JAVA_LONG, e * IOVEC, base);
        siov.set(JAVA_LONG, e * IOVEC + 8, len);
        return len;
    }

    @Override
    public void flush() {
        int off = 0;
        int waits = 0;
        int total = queued;
        while (off < total) {
            int r;
            try {
                r = (int) SENDMMSG.invokeExact(fd, smsgAddress + off * MMSG, total - off, MSG_DONTWAIT);
                if (r < 0) {
                    // a full send buffer, or this copy's destination refused: ask again, learning why
                    r = (int)
                            SENDMMSG_ERRNO.invokeExact(state, fd, smsgAddress + off * MMSG, total - off, MSG_DONTWAIT);
                }
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
            if (r > 0) {
                off += r;
                continue;
            }
            int errno = errno();
            if (errno == EINTR) {
                continue;
            }
            if ((errno == EAGAIN || errno == ENOBUFS) && waits++ < SEND_WAITS && awaitWritable()) {
                continue;
            }
            if (errno == EAGAIN || errno == ENOBUFS) {
                // the send buffer stays full: the rest is dropped, as NIO's write would drop it
                for (; off < total; off++) {
                    failed(off);
                }
                break;
            }
            // this copy's destination refused it: skip it
            failed(off++);
        }
        queued = 0;
        copiesUsed = 0;
    }

    private void failed(int e) {
        long bytes = siov.get(JAVA_LONG, e * IOVEC + 8);
        Counters.add(counters.datagramsRelayed, -1);
        Counters.add(counters.bytesRelayed, -bytes);
        Counters.add(counters.droppedSendFailed, 1);
    }

    /** Waits up to a millisecond for room in the send buffer. */
    private boolean awaitWritable() {
        pollfds.set(JAVA_SHORT, 4, POLLOUT);
        pollfds.set(JAVA_SHORT, 6, (short) 0);
        try {
            int r = (int) POLL.invokeExact(pollfdsAddress, 1L, 1);
            return r >= 0;
        } catch (Throwable t) {
            return false;
        }
    }

    @Override
    public void bound(Member m) {
        InetSocketAddress a = m.address;
        int id = m.id;
        if (keyed[id] != null) {
            unkey(id);
        }
        names.asSlice(id * NAME, NAME).fill((byte) 0);
        nameLength[id] = sockaddr(names, id * NAME, a.getAddress(), a.getPort());
        keyHi[id] = AddressIndex.hi(a.getAddress());
        keyLo[id] = AddressIndex.lo(a.getAddress());
        keyPort[id] = a.getPort();
        keyed[id] = m;
        index.put(keyHi[id], keyLo[id], keyPort[id], m);
    }

    @Override
    public void unbound(Member m) {
        if (keyed[m.id] == m) {
            unkey(m.id);
        }
    }

    private void unkey(int id) {
        index.remove(keyHi[id], keyLo[id], keyPort[id], keyed[id]);
        keyed[id] = null;
    }

    @Override
    public void wakeup() {
        synchronized (closing) {
            if (closed) {
                return;
            }
            try {
                long ignored = (long) WRITE.invokeExact(efd, ONE.address(), 8L);
                assert ignored == 8 || ignored < 0;
            } catch (Throwable t) {
                LOG.debug("relay wake-up failed", t);
            }
        }
    }

    @Override
    public void close() {
        synchronized (closing) {
            if (closed) {
                return;
            }
            closed = true;
            closeFd(fd);
            closeFd(efd);
        }
        arena.close();
    }

    private static void closeFd(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
            assert ignored == 0 || ignored < 0;
        } catch (Throwable t) {
            LOG.debug("close({}) failed", fd, t);
        }
    }

    @Override
    public String toString() {
        return "recvmmsg/sendmmsg (" + (v6 ? "IPv6" : "IPv4") + ", " + IN + " in, " + OUT + " out)";
    }

    static {
        // the layouts above assume LP64 Linux
        if (ADDRESS.byteSize() != 8) {
            throw new ExceptionInInitializerError("64-bit addresses expected");
        }
    }
}
