package testbed.audit;

import testbed.FileTrees;
import testbed.litmus.ActorRuntime;
import testbed.litmus.kernel.GoKernelSource;
import testbed.litmus.kernel.GoPeerBuild;
import testbed.litmus.kernel.KernelCompileException;
import testbed.litmus.kernel.KernelPlan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The Go kernels' targets: amd64, arm64 with Go's default {@code GOARM64=v8.0} (the compiler
 * inlines both an LSE instruction and an LL/SC loop for each RMW and picks one at run time from
 * {@code runtime.arm64HasATOMICS}: both paths are audited), and arm64 with {@code GOARM64=v8.1}
 * (LSE only). On this machine's instruction set the audited binary is the peer itself, built by
 * {@link GoPeerBuild} as the engine builds it; for the other, the peer's litmus package is
 * cross-compiled with the same generated file ({@code go build -overlay}, cgo off, as
 * {@code make cross-arm64-peer} builds). {@code go tool objdump -gnu} gives each instruction its
 * source line; an instruction Go's disassembler cannot decode (it prints {@code ?} for the LSE
 * atomics) is decoded by binutils from its encoding.
 */
final class GoTargets {

    private static final Duration BOUND = Duration.ofMinutes(10);
    private static final String FILE = Path.of(GoPeerBuild.OVERLAY_FILE).getFileName().toString();

    private GoTargets() {}

    static List<Target> all() {
        return List.of(
                target("x86_64", Isa.X86_64, null),
                target("arm64", Isa.AARCH64, null),
                target("arm64_lse", Isa.AARCH64, "v8.1"));
    }

    private static Target target(String name, Isa isa, String goarm64) {
        String go = System.getProperty(GoPeerBuild.GO_PROPERTY, "go");
        boolean peer = Toolchains.isHost(isa) && goarm64 == null;
        String how = peer ? "the peer, built by the engine (go build, cgo on)"
                : "GOARCH=" + Toolchains.goarch(isa) + (goarm64 == null ? "" : " GOARM64=" + goarm64) + " go build of internal/litmus, cgo off";
        return new Target(ActorRuntime.GO, name, isa, how, plans -> build(go, isa, goarm64, peer, plans));
    }

    private static Target.Built build(String go, Isa isa, String goarm64, boolean peer, List<KernelPlan> plans)
            throws Target.Unavailable, Tool.Failed {
        Toolchains.need(go, "golang-go");
        String source = GoKernelSource.of(plans);
        Path work = null;
        try {
            Path binary;
            if (peer) {
                try {
                    binary = GoPeerBuild.fromProperties().build(plans);
                } catch (KernelCompileException e) {
                    throw new Tool.Failed(e.getMessage());
                }
            } else {
                work = Files.createTempDirectory("testbed-audit-go");
                binary = crossBuild(go, isa, goarm64, source, work);
            }
            Disassembly d = Disassembly.goObjdump(Tool.run(List.of(go, "tool", "objdump", "-gnu", "-s", "\\.k[0-9a-f]{16}$", binary.toString()),
                    null, Map.of(), BOUND, "golang-go"));
            Disassembly object = decode(isa, d);
            return new Target.LineTable() {
                @Override
                public List<List<KernelAudit.SourceAccess>> accesses(KernelPlan actual) {
                    List<List<String>> statements = new ArrayList<>();
                    for (int i = 0; i < actual.steps().size(); i++) statements.add(GoKernelSource.statement(actual.steps().get(i), i));
                    return KernelAudit.sourceAccesses(ActorRuntime.GO, actual, source, "func " + actual.id() + "(", statements);
                }

                @Override
                public String file() {
                    return FILE;
                }

                @Override
                public Disassembly object() {
                    return object;
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a directory for the Go audit build: " + e.getMessage(), e);
        } finally {
            if (work != null) FileTrees.deleteQuietly(work);
        }
    }

    /** The peer's litmus package with {@code source} overlaid, compiled for {@code isa}: an archive go tool objdump reads. */
    private static Path crossBuild(String go, Isa isa, String goarm64, String source, Path work) throws IOException, Tool.Failed {
        Path src = Path.of(System.getProperty(GoPeerBuild.SOURCE_PROPERTY, "go-peer")).toAbsolutePath().normalize();
        Path kernels = work.resolve("kernels.go");
        Files.writeString(kernels, source);
        Path overlay = work.resolve("overlay.json");
        Files.writeString(overlay, "{\"Replace\":{\"" + src.resolve(GoPeerBuild.OVERLAY_FILE) + "\":\"" + kernels + "\"}}\n");
        Path out = work.resolve("litmus.a");
        Map<String, String> env = new java.util.HashMap<>(Map.of("GOOS", "linux", "GOARCH", Toolchains.goarch(isa), "CGO_ENABLED", "0",
                "GOTOOLCHAIN", "local"));
        if (goarm64 != null) env.put("GOARM64", goarm64);
        else env.put("GOARM64", null);
        Tool.run(List.of(go, "build", "-trimpath", "-overlay", overlay.toString(), "-o", out.toString(), "./internal/litmus"), src, env,
                BOUND, "golang-go");
        return out;
    }

    /** {@code d} with what Go could not decode decoded by binutils from the encodings. */
    private static Disassembly decode(Isa isa, Disassembly d) throws Target.Unavailable, Tool.Failed, IOException {
        List<Disassembly.Instruction> unknown = d.unknown();
        if (unknown.isEmpty()) return d;
        String objdump = Toolchains.objdump(isa);
        Toolchains.need(objdump, Toolchains.objdumpPackage(isa));
        Path bin = Files.createTempFile("testbed-audit-insn", ".bin");
        try {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            for (Disassembly.Instruction i : unknown) {
                byte[] b = HexFormat.of().parseHex(i.encoding());
                // Go prints an AArch64 instruction as its 32-bit word; memory holds it little-endian.
                if (isa == Isa.AARCH64) for (int k = b.length - 1; k >= 0; k--) bytes.write(b[k]);
                else bytes.write(b);
            }
            Files.write(bin, bytes.toByteArray());
            String machine = isa == Isa.AARCH64 ? "aarch64" : "i386:x86-64";
            Disassembly raw = Disassembly.objdump(Tool.run(List.of(objdump, "-D", "-b", "binary", "-m", machine, "--no-show-raw-insn",
                    bin.toString()), null, Map.of(), BOUND, Toolchains.objdumpPackage(isa)));
            List<Disassembly.Instruction> decoded = raw.names().isEmpty() ? List.of() : raw.function(raw.names().iterator().next());
            if (decoded.size() != unknown.size()) {
                throw new Tool.Failed(objdump + " decoded " + decoded.size() + " of the " + unknown.size() + " instructions go tool objdump could not");
            }
            return d.decodeUnknown(decoded.stream().map(i -> new String[] {i.mnemonic(), i.operands()}).toList());
        } finally {
            Files.deleteIfExists(bin);
        }
    }
}
