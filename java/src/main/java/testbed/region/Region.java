package testbed.region;

import static testbed.region.RegionLayout.*;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shared region: one file, mapped shared, laid out as {@link RegionLayout} describes.
 *
 * <p>The creator ({@link #create}) owns the file: {@link #close()} deletes it, and a JVM shutdown
 * hook deletes owned files still open at normal exit or SIGTERM. A JVM killed by SIGKILL leaves its
 * file behind; {@link #sweepStale} removes such files at the next start-up. A region opened with
 * {@link #open} is not owned: closing it unmaps it and leaves the file.
 *
 * <p>Slots and their addresses are valid until {@link #close()}. Native code given an address
 * (workers, the Go peer's own mapping aside) must be finished with it before the region is closed:
 * closing unmaps the memory.
 *
 * <p>Thread-safety: every method may be called from any thread; {@link #close()} is idempotent.
 */
public final class Region implements AutoCloseable {

    /** Where regions live unless told otherwise: tmpfs, so the mapping never touches a disk. */
    public static final Path DEFAULT_DIR = Path.of("/dev/shm");

    /** Region file names: {@code interop-testbed-<creator pid>-<16 hex digits>}. */
    public static final String NAME_PREFIX = "interop-testbed-";

    private static final Pattern NAME = Pattern.compile("interop-testbed-(\\d+)-[0-9a-f]+");
    private static final Set<PosixFilePermission> OWNER_RW =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path path;
    private final Arena arena;
    private final MemorySegment segment;
    private final boolean owner;
    private final long litmusSize;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Region(Path path, Arena arena, MemorySegment segment, boolean owner, long litmusSize) {
        this.path = path;
        this.arena = arena;
        this.segment = segment;
        this.owner = owner;
        this.litmusSize = litmusSize;
    }

    // ---- create / open / sweep ----------------------------------------------------------------

    /** Creates a region under {@link #DEFAULT_DIR} with a {@link RegionLayout#LITMUS_DEFAULT_SIZE} litmus area. */
    public static Region create() {
        return create(DEFAULT_DIR, LITMUS_DEFAULT_SIZE);
    }

    /**
     * Creates a new region file under {@code dir}, uniquely named, mode 0600 from the moment it
     * exists (it is created with O_CREAT|O_EXCL and that mode; the umask can only narrow it), sized
     * {@code RegionLayout.totalSize(litmusSize)}, mapped shared, with its header written and its state
     * set to READY by a release store after every other header field.
     *
     * @param litmusSize a positive multiple of {@link RegionLayout#LITMUS_ALIGN}
     * @throws IllegalArgumentException for a bad litmus size
     * @throws RegionException when the file cannot be created or mapped
     */
    public static Region create(Path dir, long litmusSize) {
        if (litmusSize <= 0 || litmusSize % LITMUS_ALIGN != 0) {
            throw new IllegalArgumentException(
                    "litmus size " + litmusSize + " is not a positive multiple of " + LITMUS_ALIGN);
        }
        long total = totalSize(litmusSize);
        long pid = ProcessHandle.current().pid();
        for (int attempt = 0; ; attempt++) {
            Path path = dir.resolve(NAME_PREFIX + pid + "-" + HexFormat.of().toHexDigits(RANDOM.nextLong()));
            FileChannel channel;
            try {
                channel = FileChannel.open(path,
                        EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE),
                        PosixFilePermissions.asFileAttribute(OWNER_RW));
            } catch (FileAlreadyExistsException e) {
                if (attempt < 8) continue;
                throw new RegionException(path, "cannot find an unused name", e);
            } catch (IOException e) {
                throw new RegionException(path, "cannot create: " + e, e);
            }
            Owned.register(path);
            Arena arena = Arena.ofShared();
            try (channel) {
                // Sets the file size: mapping past the end would grow it too, but implicitly.
                channel.write(ByteBuffer.allocate(1), total - 1);
                MemorySegment segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, total, arena);
                writeHeader(segment, total, litmusSize, pid);
                return new Region(path, arena, segment, true, litmusSize);
            } catch (IOException | RuntimeException e) {
                arena.close();
                deleteQuietly(path);
                Owned.unregister(path);
                throw e instanceof RegionException re ? re : new RegionException(path, "cannot map: " + e, e);
            }
        }
    }

    /**
     * Opens and maps an existing region after validating its header, in this order: the file exists
     * and holds at least a header; magic; layout version; header size; total size equals the file
     * size; every count, stride and offset equals the declaration; the litmus size fills the rest of
     * the file; the arch is this JVM's; the state is READY. The state is read first with an acquire
     * load, so a READY header is seen complete.
     *
     * @throws RegionException naming the file and the first problem found
     */
    public static Region open(Path path) {
        long fileSize;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            fileSize = channel.size();
            if (fileSize < HEADER_SIZE) {
                throw new RegionException(path, "file is " + fileSize + " bytes, shorter than the "
                        + HEADER_SIZE + "-byte header");
            }
            Arena arena = Arena.ofShared();
            try {
                MemorySegment segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, fileSize, arena);
                validate(path, segment, fileSize);
                return new Region(path, arena, segment, false, segment.get(ValueLayout.JAVA_LONG, OFF_LITMUS_SIZE));
            } catch (RuntimeException e) {
                arena.close();
                throw e;
            }
        } catch (NoSuchFileException e) {
            throw new RegionException(path, "no such file", e);
        } catch (IOException e) {
            throw new RegionException(path, "cannot open: " + e, e);
        }
    }

    /**
     * Deletes region files under {@code dir} whose creator pid is not a live process, as left by a
     * JVM killed with SIGKILL. Files of live processes, of this process, files named otherwise and
     * files this user may not delete are left alone. Pids are read in this process's pid namespace.
     *
     * @return how many files were deleted
     */
    public static int sweepStale(Path dir) {
        int deleted = 0;
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, NAME_PREFIX + "*")) {
            for (Path file : files) {
                Matcher m = NAME.matcher(file.getFileName().toString());
                if (!m.matches() || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                long pid;
                try {
                    pid = Long.parseLong(m.group(1));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (pid == self || ProcessHandle.of(pid).isPresent()) {
                    continue;
                }
                try {
                    if (Files.deleteIfExists(file)) deleted++;
                } catch (IOException e) {
                    // Another user's file in a sticky directory: not ours to remove.
                }
            }
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw new RegionException(dir, "cannot list for stale regions: " + e, e);
        }
        return deleted;
    }

    // ---- accessors ----------------------------------------------------------------------------

    public Path path() {
        return path;
    }

    /** The whole mapping; valid until {@link #close()}. */
    public MemorySegment segment() {
        ensureOpen();
        return segment;
    }

    /** Size of the file and the mapping, in bytes. */
    public long size() {
        return segment.byteSize();
    }

    /** True if this region was created (and will be deleted) by this object. */
    public boolean owner() {
        return owner;
    }

    /** Counter slot {@code i} (0 to {@link RegionLayout#COUNTER_SLOTS}-1): 8 bytes, alone in 128. */
    public MemorySegment counterSlot(int i) {
        return slot(COUNTERS_OFFSET, SLOT_STRIDE, i, COUNTER_SLOTS, "counter slot");
    }

    /** Packed slot {@code i} (0 to {@link RegionLayout#PACKED_SLOTS}-1): 8 bytes, adjacent to its neighbours. */
    public MemorySegment packedSlot(int i) {
        return slot(PACKED_OFFSET, SLOT_SIZE, i, PACKED_SLOTS, "packed slot");
    }

    /** Control word {@code i}, e.g. {@link RegionLayout#CONTROL_START_GATE}: 8 bytes, alone in 128. */
    public MemorySegment controlWord(int i) {
        return slot(CONTROL_OFFSET, SLOT_STRIDE, i, CONTROL_WORDS, "control word");
    }

    /** Cancel flag {@code i} (0 to {@link RegionLayout#CANCEL_FLAGS}-1): 8 bytes, alone in 128. */
    public MemorySegment cancelFlag(int i) {
        return slot(CANCEL_OFFSET, SLOT_STRIDE, i, CANCEL_FLAGS, "cancel flag");
    }

    public long counterAddress(int i) {
        return counterSlot(i).address();
    }

    public long packedAddress(int i) {
        return packedSlot(i).address();
    }

    public long controlAddress(int i) {
        return controlWord(i).address();
    }

    public long cancelAddress(int i) {
        return cancelFlag(i).address();
    }

    /** The litmus area: page-aligned, {@link #litmusSize()} bytes. */
    public MemorySegment litmus() {
        ensureOpen();
        return segment.asSlice(LITMUS_OFFSET, litmusSize);
    }

    public long litmusSize() {
        return litmusSize;
    }

    /** Unmaps the region and, if this object created it, deletes the file. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            arena.close();
        } finally {
            if (owner) {
                deleteQuietly(path);
                Owned.unregister(path);
            }
        }
    }

    @Override
    public String toString() {
        return "Region[" + path + ", " + segment.byteSize() + " bytes" + (owner ? ", owner" : "")
                + (closed.get() ? ", closed" : "") + "]";
    }

    // ---- internals ----------------------------------------------------------------------------

    private MemorySegment slot(long base, long stride, int i, int count, String what) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException(what + " " + i + " out of range [0, " + count + ")");
        }
        ensureOpen();
        return segment.asSlice(base + (long) i * stride, SLOT_SIZE, SLOT_SIZE);
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("region " + path + " is closed");
        }
    }

    private static void writeHeader(MemorySegment s, long total, long litmusSize, long pid) {
        s.set(ValueLayout.JAVA_LONG, OFF_MAGIC, MAGIC);
        s.set(ValueLayout.JAVA_INT, OFF_LAYOUT_VERSION, LAYOUT_VERSION);
        s.set(ValueLayout.JAVA_INT, OFF_HEADER_SIZE, HEADER_SIZE);
        s.set(ValueLayout.JAVA_LONG, OFF_TOTAL_SIZE, total);
        s.set(ValueLayout.JAVA_INT, OFF_COUNTER_SLOTS, COUNTER_SLOTS);
        s.set(ValueLayout.JAVA_INT, OFF_CACHE_LINE, CACHE_LINE);
        s.set(ValueLayout.JAVA_INT, OFF_SLOT_STRIDE, SLOT_STRIDE);
        s.set(ValueLayout.JAVA_INT, OFF_ARCH, archCode());
        s.set(ValueLayout.JAVA_INT, OFF_PACKED_SLOTS, PACKED_SLOTS);
        s.set(ValueLayout.JAVA_INT, OFF_CANCEL_FLAGS, CANCEL_FLAGS);
        s.set(ValueLayout.JAVA_LONG, OFF_CONTROL_OFFSET, CONTROL_OFFSET);
        s.set(ValueLayout.JAVA_LONG, OFF_COUNTERS_OFFSET, COUNTERS_OFFSET);
        s.set(ValueLayout.JAVA_LONG, OFF_PACKED_OFFSET, PACKED_OFFSET);
        s.set(ValueLayout.JAVA_LONG, OFF_CANCEL_OFFSET, CANCEL_OFFSET);
        s.set(ValueLayout.JAVA_LONG, OFF_LITMUS_OFFSET, LITMUS_OFFSET);
        s.set(ValueLayout.JAVA_LONG, OFF_LITMUS_SIZE, litmusSize);
        s.set(ValueLayout.JAVA_LONG, OFF_CREATOR_PID, pid);
        // Release: a reader that acquires READY sees every field above.
        INT.setRelease(s, OFF_STATE, STATE_READY);
    }

    private static void validate(Path path, MemorySegment s, long fileSize) {
        int state = (int) INT.getAcquire(s, OFF_STATE);

        long magic = s.get(ValueLayout.JAVA_LONG, OFF_MAGIC);
        if (magic != MAGIC) {
            throw new RegionException(path, String.format("bad magic 0x%016X (want 0x%016X)", magic, MAGIC));
        }
        expect(path, s, "layout_version", OFF_LAYOUT_VERSION, false, LAYOUT_VERSION);
        expect(path, s, "header_size", OFF_HEADER_SIZE, false, HEADER_SIZE);
        long total = s.get(ValueLayout.JAVA_LONG, OFF_TOTAL_SIZE);
        if (total != fileSize) {
            throw new RegionException(path, "total_size " + total + " in the header but the file is "
                    + fileSize + " bytes (" + (fileSize < total ? "truncated" : "extended") + ")");
        }
        expect(path, s, "counter_slots", OFF_COUNTER_SLOTS, false, COUNTER_SLOTS);
        expect(path, s, "cache_line", OFF_CACHE_LINE, false, CACHE_LINE);
        expect(path, s, "slot_stride", OFF_SLOT_STRIDE, false, SLOT_STRIDE);
        expect(path, s, "packed_slots", OFF_PACKED_SLOTS, false, PACKED_SLOTS);
        expect(path, s, "cancel_flags", OFF_CANCEL_FLAGS, false, CANCEL_FLAGS);
        expect(path, s, "control_offset", OFF_CONTROL_OFFSET, true, CONTROL_OFFSET);
        expect(path, s, "counters_offset", OFF_COUNTERS_OFFSET, true, COUNTERS_OFFSET);
        expect(path, s, "packed_offset", OFF_PACKED_OFFSET, true, PACKED_OFFSET);
        expect(path, s, "cancel_offset", OFF_CANCEL_OFFSET, true, CANCEL_OFFSET);
        expect(path, s, "litmus_offset", OFF_LITMUS_OFFSET, true, LITMUS_OFFSET);
        long litmus = s.get(ValueLayout.JAVA_LONG, OFF_LITMUS_SIZE);
        if (litmus <= 0 || litmus % LITMUS_ALIGN != 0 || LITMUS_OFFSET + litmus != total) {
            throw new RegionException(path, "litmus_size " + litmus + " (want a positive multiple of "
                    + LITMUS_ALIGN + " filling the file: " + (total - LITMUS_OFFSET) + ")");
        }
        int arch = s.get(ValueLayout.JAVA_INT, OFF_ARCH);
        int here = archCode();
        if (arch != here) {
            throw new RegionException(path, "arch " + arch + " (" + archName(arch) + ") but this JVM is "
                    + here + " (" + archName(here) + ")");
        }
        if (state != STATE_READY) {
            throw new RegionException(path, "state " + state + " (" + stateName(state) + "), want "
                    + STATE_READY + " (ready)");
        }
    }

    private static void expect(Path path, MemorySegment s, String field, long offset, boolean wide, long want) {
        long have = wide ? s.get(ValueLayout.JAVA_LONG, offset) : s.get(ValueLayout.JAVA_INT, offset);
        if (have != want) {
            throw new RegionException(path, field + " " + have + " (want " + want + ")");
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // Left for sweepStale; nothing else can be done from here.
        }
    }

    /** Owned region files not yet closed; a shutdown hook deletes them. */
    private static final class Owned {
        private static final Set<Path> PATHS = ConcurrentHashMap.newKeySet();

        static {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> PATHS.forEach(Region::deleteQuietly),
                    "interop-region-cleanup"));
        }

        static void register(Path path) {
            PATHS.add(path);
        }

        static void unregister(Path path) {
            PATHS.remove(path);
        }
    }
}
