package testbed.contract;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Go side of the wire conformance: go-peer/cmd/interop-contract, built by
 * {@code make contract-tools}. It runs in the repository root, so that the paths
 * it prints are the repository's.
 */
final class GoContractTool {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int EXIT_USAGE = 2;

    private final ContractConfig config;

    GoContractTool(ContractConfig config) {
        if (!Files.isExecutable(config.contractTool())) {
            throw new ContractException(config.display(config.contractTool())
                    + ": the Go contract command is not built (make contract-tools builds it)");
        }
        this.config = config;
    }

    /** Go's verdict on every golden vector: case name to null (ok) or the failure line. */
    Map<String, String> goldens() {
        return verdicts(List.of("goldens", corpus()));
    }

    /** Writes {@code out}/NAME.bin: every case as Go encodes it for the wire. */
    void encode(Path out) {
        Command.Result r = run(null, List.of("encode", corpus(), out.toString()));
        if (r.exitCode() != 0) throw failure("encode", r);
    }

    /** Go's verdict on {@code in}/NAME.bin, each case as Java encoded it. */
    Map<String, String> decode(Path in) {
        return verdicts(List.of("decode", corpus(), in.toString()));
    }

    /** Go decodes {@code data} as {@code messageName} and encodes what it got, deterministically. */
    byte[] reencode(String messageName, byte[] data) {
        Command.Result r = run(data, List.of("reencode", messageName));
        if (r.exitCode() != 0) throw failure("reencode", r);
        return r.stdout();
    }

    private String corpus() {
        return config.display(config.corpusDir());
    }

    private Map<String, String> verdicts(List<String> args) {
        Command.Result r = run(null, args);
        if (r.exitCode() == EXIT_USAGE || (r.exitCode() != 0 && r.exitCode() != 1)) throw failure(args.get(0), r);
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : r.out().split("\n")) {
            if (line.startsWith("ok ")) {
                out.put(line.substring(3).strip(), null);
            } else if (line.startsWith("FAIL ")) {
                int colon = line.indexOf(": ");
                String name = colon > 0 ? line.substring(5, colon) : line.substring(5);
                out.put(name, colon > 0 ? line.substring(colon + 2) : "failed");
            }
        }
        if (out.isEmpty()) throw failure(args.get(0), r);
        return out;
    }

    private Command.Result run(byte[] stdin, List<String> args) {
        List<String> argv = new java.util.ArrayList<>();
        argv.add(config.contractTool().toString());
        argv.addAll(args);
        return Command.run(config.root(), TIMEOUT, stdin, Map.of(), argv);
    }

    private ContractException failure(String what, Command.Result r) {
        String why = r.firstLine().replaceFirst("^error: ", "");
        return new ContractException(why.isEmpty() ? "interop-contract " + what + " failed (exit " + r.exitCode() + ")" : why);
    }
}
