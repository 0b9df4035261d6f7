package testbed.contract;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import testbed.proto.v1.ConformanceSample;
import testbed.proto.v1.ConformanceSampleNext;
import testbed.report.CaseResult;
import testbed.report.Status;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The wire-conformance cases of the contract suite: Java and Go against the
 * golden vectors, each decoding what the other encoded, and unknown fields
 * through Go and back (docs/CONTRACT.md).
 */
final class WireConformance {
    static final String LATER = ConformanceSampleNext.getDescriptor().getFullName();
    static final String EARLIER = ConformanceSample.getDescriptor().getFullName();

    private final ContractConfig config;

    WireConformance(ContractConfig config) {
        this.config = config;
    }

    /** Java reproduces every exact golden vector byte for byte and decodes every one to its description. */
    CaseResult goldensJava(String name, String title, long t0) {
        List<CorpusCase> corpus = WireCorpus.load(config);
        List<Map<String, Object>> rows = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int sameBytes = 0;
        List<String> differing = new ArrayList<>();
        for (CorpusCase k : corpus) {
            try {
                boolean same = WireCorpus.checkGolden(config, k);
                if (same) sameBytes++;
                else differing.add(k.name());
                rows.add(WireCorpus.row(k, "ok", same ? "" : "Java's deterministic bytes differ from the golden, as the case allows"));
            } catch (ContractException e) {
                problems.add(e.getMessage());
                rows.add(WireCorpus.row(k, "FAIL", e.getMessage()));
            }
        }
        String msg = problems.isEmpty()
                ? corpus.size() + " golden vectors: Java decodes all to their descriptions and writes " + sameBytes
                        + " byte for byte" + (differing.isEmpty() ? "" : "; " + String.join(", ", differing)
                        + " differ in bytes only, as marked (bytes: semantic)")
                : problems.size() + " of " + corpus.size() + " golden vectors fail in Java: " + problems.get(0);
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("cases", corpus.size());
        metrics.put("java_bytes_equal_golden", sameBytes);
        metrics.put("failures", problems.size());
        return result(name, title, problems, msg, t0, metrics, rows);
    }

    /** Go does the same, through go-peer/cmd/interop-contract. */
    CaseResult goldensGo(String name, String title, long t0) {
        // Go reads the corpus on its own: a description Java cannot parse must not hide Go's verdict.
        Map<String, String> verdicts = new GoContractTool(config).goldens();
        List<Map<String, Object>> rows = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        verdicts.forEach((k, failure) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("case", k);
            row.put("verdict", failure == null ? "ok" : "FAIL");
            if (failure != null) {
                row.put("note", failure);
                problems.add(failure);
            }
            rows.add(row);
        });
        String msg = problems.isEmpty()
                ? verdicts.size() + " golden vectors: Go decodes all to their descriptions and writes every exact one byte for byte"
                : problems.size() + " of " + verdicts.size() + " golden vectors fail in Go: " + problems.get(0);
        return result(name, title, problems, msg, t0, Map.of("cases", verdicts.size(), "failures", problems.size()), rows);
    }

    /** Java encodes every case as it would for the wire; Go decodes each and compares with its own reading of the description. */
    CaseResult javaToGo(String name, String title, long t0) {
        List<CorpusCase> corpus = WireCorpus.load(config);
        try (Scratch scratch = new Scratch("java-to-go")) {
            for (CorpusCase k : corpus) {
                Files.write(scratch.resolve(k.name() + ".bin"), k.value().toByteArray());
            }
            Map<String, String> verdicts = new GoContractTool(config).decode(scratch.dir());
            return fromGoVerdicts(name, title, t0, corpus, verdicts, "cases Java encoded",
                    "Go decodes each to the value it reads from the description, the same bytes when encoded again");
        } catch (IOException e) {
            throw new ContractException("cannot write Java's encodings: " + e.getMessage());
        }
    }

    /** Go encodes every case as the peer would; Java decodes each and compares with its own reading. */
    CaseResult goToJava(String name, String title, long t0) {
        List<CorpusCase> corpus = WireCorpus.load(config);
        List<Map<String, Object>> rows = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        try (Scratch scratch = new Scratch("go-to-java")) {
            new GoContractTool(config).encode(scratch.dir());
            for (CorpusCase k : corpus) {
                Path p = scratch.resolve(k.name() + ".bin");
                String shown = "Go's " + k.name() + ".bin";
                try {
                    if (!Files.exists(p)) throw new ContractException(shown + ": Go wrote nothing for this case");
                    WireCorpus.checkDecoded(config, k, Files.readAllBytes(p), shown);
                    rows.add(WireCorpus.row(k, "ok", ""));
                } catch (ContractException e) {
                    problems.add(e.getMessage());
                    rows.add(WireCorpus.row(k, "FAIL", e.getMessage()));
                }
            }
        } catch (IOException e) {
            throw new ContractException("cannot read Go's encodings: " + e.getMessage());
        }
        String msg = problems.isEmpty()
                ? corpus.size() + " cases Go encoded: Java decodes each to the value it reads from the description, the same bytes when encoded again"
                : problems.size() + " of " + corpus.size() + " cases Go encoded fail in Java: " + problems.get(0);
        return result(name, title, problems, msg, t0, Map.of("cases", corpus.size(), "failures", problems.size()), rows);
    }

    /**
     * Every case of the later schema: Java encodes it, Go reads it as the earlier
     * schema (so part of it is unknown fields and unknown enum numbers) and writes
     * it back, and Java must get the same bytes and the same value.
     */
    CaseResult unknownFieldsRoundTrip(String name, String title, long t0) {
        List<CorpusCase> later = WireCorpus.load(config).stream().filter(k -> k.messageName().equals(LATER)).toList();
        if (later.isEmpty()) {
            return CaseResult.error(name, title, c(config.corpusDir()) + ": no case of " + LATER + " to send through Go", ms(t0));
        }
        GoContractTool go = new GoContractTool(config);
        List<Map<String, Object>> rows = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        long unknownBytes = 0;
        for (CorpusCase k : later) {
            byte[] sent = WireCorpus.deterministic(k.value());
            String problem = null;
            try {
                ConformanceSample earlier = ConformanceSample.parseFrom(sent);
                int unknown = earlier.getUnknownFields().getSerializedSize();
                unknownBytes += unknown;
                if (unknown == 0) problem = "read as " + EARLIER + ", it has no unknown fields: the case tests nothing";
                byte[] back = go.reencode(EARLIER, sent);
                if (problem == null && !Arrays.equals(back, sent)) {
                    int at = Arrays.mismatch(back, sent);
                    problem = "Java sent " + sent.length + " bytes, Go sent back " + back.length + ", first difference at byte " + at;
                }
                if (problem == null) {
                    Message again = ConformanceSampleNext.parseFrom(back);
                    if (!again.equals(k.value())) problem = "the bytes came back, but decode to another value";
                }
            } catch (InvalidProtocolBufferException e) {
                problem = "does not decode: " + WireCorpus.shortReason(e);
            } catch (ContractException e) {
                problem = e.getMessage();
            }
            if (problem != null) problems.add(c(k.text()) + ": " + problem);
            Map<String, Object> row = WireCorpus.row(k, problem == null ? "ok" : "FAIL", problem == null ? "" : problem);
            row.put("bytes_sent", sent.length);
            rows.add(row);
        }
        String msg = problems.isEmpty()
                ? later.size() + " values of the later schema went Java -> Go (read as " + EARLIER.substring(EARLIER.lastIndexOf('.') + 1)
                        + ", " + unknownBytes + " bytes of unknown fields) -> Java unchanged, byte for byte"
                : problems.get(0);
        return result(name, title, problems, msg, t0,
                Map.of("cases", later.size(), "unknown_field_bytes", unknownBytes, "failures", problems.size()), rows);
    }

    private CaseResult fromGoVerdicts(String name, String title, long t0, List<CorpusCase> corpus, Map<String, String> verdicts,
                                      String what, String good) {
        List<Map<String, Object>> rows = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (CorpusCase k : corpus) {
            // Go's failure lines start with the file they are about, as Java's do.
            String failure = verdicts.containsKey(k.name()) ? verdicts.get(k.name())
                    : c(k.text()) + ": Go gave no verdict for this case";
            if (failure != null) problems.add(failure);
            rows.add(WireCorpus.row(k, failure == null ? "ok" : "FAIL", failure));
        }
        for (String extra : verdicts.keySet()) {
            if (corpus.stream().noneMatch(k -> k.name().equals(extra))) {
                problems.add(c(config.corpusDir().resolve(extra + ".txtpb")) + ": Go saw a case Java did not");
            }
        }
        String msg = problems.isEmpty() ? corpus.size() + " " + what + ": " + good
                : problems.size() + " of " + corpus.size() + " " + what + " fail in Go: " + problems.get(0);
        return result(name, title, problems, msg, t0, Map.of("cases", corpus.size(), "failures", problems.size()), rows);
    }

    private static CaseResult result(String name, String title, List<String> problems, String msg, long t0,
                                     Map<String, Object> metrics, List<Map<String, Object>> rows) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("cases", rows);
        if (!problems.isEmpty()) details.put(ContractSuite.PROBLEMS, List.copyOf(problems));
        return new CaseResult(name, title, problems.isEmpty() ? Status.PASSED : Status.FAILED, msg, ms(t0), metrics, details);
    }

    private String c(Path p) {
        return config.display(p);
    }

    static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
