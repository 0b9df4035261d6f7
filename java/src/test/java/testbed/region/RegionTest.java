package testbed.region;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class RegionTest {

    private static final long LITMUS = RegionLayout.LITMUS_ALIGN;

    @TempDir
    Path dir;

    private final List<Region> regions = new ArrayList<>();
    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void cleanUp() throws IOException {
        regions.forEach(Region::close);
        children.forEach(Process::destroyForcibly);
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith(Region.NAME_PREFIX)).toList(),
                    "region files left in " + dir);
        }
    }

    private Region created() {
        Region r = Region.create(dir, LITMUS);
        regions.add(r);
        return r;
    }

    // ---- create and open ---------------------------------------------------------------------

    @Test
    void createThenOpenSeesTheSameMemoryAndHeader() {
        Region a = created();
        assertTrue(a.owner());
        assertEquals(RegionLayout.totalSize(LITMUS), a.size());
        try (Region b = Region.open(a.path())) {
            assertFalse(b.owner());
            assertEquals(a.size(), b.size());
            assertEquals(LITMUS, b.litmusSize());
            SegmentAtomics.setRelease(a.counterSlot(3), 0x1234_5678_9ABCL);
            assertEquals(0x1234_5678_9ABCL, SegmentAtomics.getAcquire(b.counterSlot(3)));
            SegmentAtomics.setVolatile(b.cancelFlag(63), -1);
            assertEquals(-1, SegmentAtomics.getVolatile(a.cancelFlag(63)));

            MemorySegment h = b.segment();
            assertEquals(RegionLayout.MAGIC, h.get(ValueLayout.JAVA_LONG, RegionLayout.OFF_MAGIC));
            assertEquals(RegionLayout.STATE_READY, h.get(ValueLayout.JAVA_INT, RegionLayout.OFF_STATE));
            assertEquals(ProcessHandle.current().pid(), h.get(ValueLayout.JAVA_LONG, RegionLayout.OFF_CREATOR_PID));
            assertEquals(RegionLayout.archCode(), h.get(ValueLayout.JAVA_INT, RegionLayout.OFF_ARCH));
            assertEquals(a.size(), h.get(ValueLayout.JAVA_LONG, RegionLayout.OFF_TOTAL_SIZE));
        }
        assertTrue(Files.exists(a.path()), "closing an opened (not owned) region must keep the file");
        a.close();
        assertFalse(Files.exists(a.path()), "closing the owner must delete the file");
    }

    @Test
    void fileIsMode0600() throws IOException {
        Region r = created();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(r.path())));
    }

    @Test
    void namesAreUniqueAndCarryThePid() {
        Set<Path> names = new HashSet<>();
        for (int i = 0; i < 4; i++) names.add(created().path());
        assertEquals(4, names.size());
        for (Path p : names) {
            assertTrue(p.getFileName().toString().matches(
                    "interop-testbed-" + ProcessHandle.current().pid() + "-[0-9a-f]{16}"), p.toString());
        }
    }

    @Test
    void closeIsIdempotentAndEndsAccess() {
        Region r = created();
        r.close();
        r.close();
        assertFalse(Files.exists(r.path()));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.counterAddress(0));
        assertEquals("region " + r.path() + " is closed", e.getMessage());
        assertThrows(IllegalStateException.class, r::segment);
    }

    @Test
    void defaultCreateUsesDevShm() {
        Path path;
        try (Region r = Region.create()) {
            path = r.path();
            assertEquals(Region.DEFAULT_DIR, path.getParent());
            assertEquals(RegionLayout.LITMUS_DEFAULT_SIZE, r.litmusSize());
            assertTrue(Files.exists(path));
        }
        assertFalse(Files.exists(path));
    }

    @Test
    void createRejectsABadLitmusSize() {
        for (long size : new long[] {0, -4096, 100, 4097}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Region.create(dir, size));
            assertEquals("litmus size " + size + " is not a positive multiple of 4096", e.getMessage());
        }
    }

    @Test
    void slotsAreAlignedAtTheirDeclaredOffsetsAndIndexChecked() {
        Region r = created();
        long base = r.segment().address();
        for (int i = 0; i < RegionLayout.COUNTER_SLOTS; i++) {
            assertEquals(base + RegionLayout.COUNTERS_OFFSET + 128L * i, r.counterAddress(i));
            assertEquals(8, r.counterSlot(i).byteSize());
        }
        for (int i = 0; i < RegionLayout.PACKED_SLOTS; i++) {
            assertEquals(base + RegionLayout.PACKED_OFFSET + 8L * i, r.packedAddress(i));
        }
        for (int i = 0; i < RegionLayout.CONTROL_WORDS; i++) {
            assertEquals(base + RegionLayout.CONTROL_OFFSET + 128L * i, r.controlAddress(i));
        }
        for (int i = 0; i < RegionLayout.CANCEL_FLAGS; i++) {
            assertEquals(base + RegionLayout.CANCEL_OFFSET + 128L * i, r.cancelAddress(i));
            assertEquals(0, r.cancelAddress(i) % 8);
        }
        assertEquals(base + RegionLayout.LITMUS_OFFSET, r.litmus().address());
        assertEquals(LITMUS, r.litmus().byteSize());
        assertEquals("counter slot 16 out of range [0, 16)",
                assertThrows(IndexOutOfBoundsException.class, () -> r.counterSlot(16)).getMessage());
        assertEquals("packed slot -1 out of range [0, 16)",
                assertThrows(IndexOutOfBoundsException.class, () -> r.packedSlot(-1)).getMessage());
        assertEquals("control word 4 out of range [0, 4)",
                assertThrows(IndexOutOfBoundsException.class, () -> r.controlWord(4)).getMessage());
        assertEquals("cancel flag 64 out of range [0, 64)",
                assertThrows(IndexOutOfBoundsException.class, () -> r.cancelFlag(64)).getMessage());
    }

    // ---- open refuses ------------------------------------------------------------------------

    /** A copy of a fresh region's file under {@code name}, for corrupting; the original is deleted. */
    private Path copy(String name) throws IOException {
        Path to = dir.resolve(name);
        try (Region r = Region.create(dir, LITMUS)) {
            Files.copy(r.path(), to);
        }
        return to;
    }

    private static void writeLong(Path file, long offset, long value) throws IOException {
        write(file, offset, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value));
    }

    private static void writeInt(Path file, long offset, int value) throws IOException {
        write(file, offset, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, value));
    }

    private static void write(Path file, long offset, ByteBuffer bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(bytes, offset);
        }
    }

    private static void assertRefused(Path file, String problem) {
        RegionException e = assertThrows(RegionException.class, () -> Region.open(file).close());
        assertEquals("region " + file + ": " + problem, e.getMessage());
        assertEquals(file, e.path());
    }

    @Test
    void openRefusesAMissingFile() {
        assertRefused(dir.resolve("nothing-here"), "no such file");
    }

    @Test
    void openRefusesAFileShorterThanTheHeader() throws IOException {
        Path f = Files.write(dir.resolve("short"), new byte[100]);
        assertRefused(f, "file is 100 bytes, shorter than the 128-byte header");
    }

    @Test
    void openRefusesAWrongMagic() throws IOException {
        Path f = copy("magic");
        writeLong(f, RegionLayout.OFF_MAGIC, 0x1122334455667788L);
        assertRefused(f, "bad magic 0x1122334455667788 (want 0x314E474552425449)");
    }

    @Test
    void openRefusesAnotherLayoutVersion() throws IOException {
        Path f = copy("version");
        writeInt(f, RegionLayout.OFF_LAYOUT_VERSION, 2);
        assertRefused(f, "layout_version 2 (want 1)");
    }

    @Test
    void openRefusesATruncatedFile() throws IOException {
        Path f = copy("truncated");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(RegionLayout.LITMUS_OFFSET);
        }
        assertRefused(f, "total_size " + RegionLayout.totalSize(LITMUS) + " in the header but the file is "
                + RegionLayout.LITMUS_OFFSET + " bytes (truncated)");
    }

    @Test
    void openRefusesAnExtendedFile() throws IOException {
        Path f = copy("extended");
        long total = RegionLayout.totalSize(LITMUS);
        write(f, total + 4095, ByteBuffer.allocate(1));
        assertRefused(f, "total_size " + total + " in the header but the file is " + (total + 4096)
                + " bytes (extended)");
    }

    @Test
    void openRefusesADifferentSlotCount() throws IOException {
        Path f = copy("slots");
        writeInt(f, RegionLayout.OFF_COUNTER_SLOTS, 8);
        assertRefused(f, "counter_slots 8 (want 16)");
    }

    @Test
    void openRefusesAForeignArch() throws IOException {
        Path f = copy("arch");
        int here = RegionLayout.archCode();
        int foreign = here == RegionLayout.ARCH_X86_64 ? RegionLayout.ARCH_AARCH64 : RegionLayout.ARCH_X86_64;
        writeInt(f, RegionLayout.OFF_ARCH, foreign);
        assertRefused(f, "arch " + foreign + " (" + RegionLayout.archName(foreign) + ") but this JVM is "
                + here + " (" + RegionLayout.archName(here) + ")");
    }

    @Test
    void openRefusesARegionNotReady() throws IOException {
        Path f = copy("initialising");
        writeInt(f, RegionLayout.OFF_STATE, RegionLayout.STATE_INITIALISING);
        assertRefused(f, "state 0 (initialising), want 1 (ready)");
    }

    @Test
    void anUntouchedCopyOpens() throws IOException {
        Path f = copy("intact");
        Region.open(f).close();
        assertTrue(Files.exists(f));
        Files.delete(f);
    }

    // ---- stale files -------------------------------------------------------------------------

    @Test
    void sweepStaleRemovesDeadPidsAndKeepsLiveOnes() throws Exception {
        Process exited = new ProcessBuilder("true").start();
        assertTrue(exited.waitFor(10, TimeUnit.SECONDS));
        long dead = exited.pid();
        assertTrue(ProcessHandle.of(dead).isEmpty(), "pid " + dead + " should be gone");
        Process live = new ProcessBuilder("sleep", "30").start();
        children.add(live);

        Path deadFile = Files.createFile(dir.resolve("interop-testbed-" + dead + "-00112233aabbccdd"));
        Path liveFile = Files.createFile(dir.resolve("interop-testbed-" + live.pid() + "-00112233aabbccdd"));
        Path mine = created().path();
        Path other = Files.createFile(dir.resolve("interop-testbed-notapid-x"));

        assertEquals(1, Region.sweepStale(dir));
        assertFalse(Files.exists(deadFile));
        assertTrue(Files.exists(liveFile));
        assertTrue(Files.exists(mine));
        assertTrue(Files.exists(other));
        assertEquals(0, Region.sweepStale(dir));
        assertEquals(0, Region.sweepStale(dir.resolve("no-such-dir")));
        Files.delete(liveFile);
        Files.delete(other);
    }

    @Test
    void sigtermDeletesOwnedFilesAndSigkillLeavesOneForTheSweep() throws Exception {
        Path terminated = holder(false);
        Path killed = holder(true);
        assertFalse(Files.exists(terminated), "SIGTERM: the shutdown hook must delete " + terminated);
        assertTrue(Files.exists(killed), "SIGKILL runs no hook, so " + killed + " stays");
        assertEquals(1, Region.sweepStale(dir));
        assertFalse(Files.exists(killed));
    }

    /** Starts a RegionHolder JVM, waits for its region, ends it by SIGTERM or SIGKILL; returns the file. */
    private Path holder(boolean kill) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "--enable-preview", "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), RegionHolder.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        children.add(p);
        String line = new BufferedReader(new InputStreamReader(p.getInputStream())).readLine();
        assertTrue(line != null && line.startsWith(dir.toString()), "holder said: " + line);
        Path file = Path.of(line);
        assertTrue(Files.exists(file));
        if (kill) p.destroyForcibly(); else p.destroy();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "holder did not end");
        assertNotEquals(0, p.exitValue());
        return file;
    }
}
