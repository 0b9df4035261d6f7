package testbed.contract;

import com.google.protobuf.Descriptors.Descriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import testbed.proto.v1.ConformanceProto;
import testbed.proto.v1.ConformanceSample;
import testbed.proto.v1.ConformanceSampleNext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Java side of the wire conformance, and its exchanges with the Go side. */
@Timeout(60)
class ContractWireTest {
    private static CorpusCase load(ContractConfig c, String name) {
        return WireCorpus.loadCase(c, c.corpusDir().resolve(name + ".txtpb"));
    }

    @Test
    void javaChecksEveryGoldenVector() {
        ContractConfig c = ContractConfig.fromSystemProperties();
        List<CorpusCase> corpus = WireCorpus.load(c);
        assertTrue(corpus.size() >= 15, "the corpus has its cases: " + corpus.size());
        for (CorpusCase k : corpus) {
            boolean same = WireCorpus.checkGolden(c, k);
            assertTrue(same || !k.exact(), k.name() + ": an exact case must match byte for byte");
        }
    }

    /** Every message type of conformance.proto can be named by a description. */
    @Test
    void everyCorpusMessageTypeIsKnown() {
        for (Descriptor d : ConformanceProto.getDescriptor().getMessageTypes()) {
            assertTrue(WireCorpus.TYPES.containsKey(d.getFullName()), d.getFullName() + " is missing from WireCorpus.TYPES");
        }
    }

    /**
     * The semantic cases record real differences between the runtimes' deterministic
     * encodings; if one disappears (a runtime changed), the case should become exact.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"map_key_order", "oneof_field_order", "nan"})
    void semanticCasesDifferInJavaAsTheirHeadersSay(String name) {
        ContractConfig c = ContractConfig.fromSystemProperties();
        CorpusCase k = load(c, name);
        assertFalse(k.exact(), name + " is marked bytes: semantic");
        assertFalse(WireCorpus.checkGolden(c, k), name + ": Java's deterministic bytes now equal Go's; mark the case exact");
    }

    /** Java keeps a NaN's bits: Go's NaN (payload 1) decodes and encodes back unchanged. */
    @Test
    void javaKeepsTheBitsOfGosNaN() throws Exception {
        ContractConfig c = ContractConfig.fromSystemProperties();
        CorpusCase k = load(c, "nan");
        byte[] golden = Files.readAllBytes(k.golden());
        ConformanceSample s = ConformanceSample.parseFrom(golden);
        assertEquals(0x7ff8000000000001L, Double.doubleToRawLongBits(s.getReal64()), "Go's math.NaN()");
        assertArrayEquals(golden, WireCorpus.deterministic(s));
    }

    /** Java alone: bytes of the later schema read as the earlier one keep their unknown parts. */
    @Test
    void javaKeepsUnknownFieldsAndEnumNumbers() throws Exception {
        ContractConfig c = ContractConfig.fromSystemProperties();
        CorpusCase k = load(c, "unknown_fields");
        byte[] sent = WireCorpus.deterministic(k.value());
        ConformanceSample earlier = ConformanceSample.parseFrom(sent);
        assertFalse(earlier.getUnknownFields().asMap().isEmpty());
        assertEquals(3, earlier.getLevelValue(), "CONFORMANCE_LEVEL_NEXT_CRITICAL kept as a number");
        assertArrayEquals(sent, WireCorpus.deterministic(earlier));
    }

    /** Java to Go to Java, through the Go command's reencode: the same bytes come back. */
    @Test
    void unknownFieldsSurviveJavaToGoToJava() throws Exception {
        ContractConfig c = ContractTestSupport.config();
        CorpusCase k = load(c, "unknown_fields");
        byte[] sent = WireCorpus.deterministic(k.value());
        byte[] back = new GoContractTool(c).reencode(WireConformance.EARLIER, sent);
        assertArrayEquals(sent, back);
        assertEquals(k.value(), ConformanceSampleNext.parseFrom(back));
        // The check can fail: dropping the unknown fields in Java before sending is seen.
        byte[] stripped = ConformanceSample.parseFrom(sent).toBuilder().setUnknownFields(com.google.protobuf.UnknownFieldSet.getDefaultInstance())
                .build().toByteArray();
        assertNotEquals(k.value(), ConformanceSampleNext.parseFrom(new GoContractTool(c).reencode(WireConformance.EARLIER, stripped)));
    }

    @Test
    void goDecodesJavasBytesAndSaysWhichCaseIsWrong(@TempDir Path tmp) throws IOException {
        ContractConfig c = ContractTestSupport.config();
        for (CorpusCase k : WireCorpus.load(c)) Files.write(tmp.resolve(k.name() + ".bin"), k.value().toByteArray());
        var verdicts = new GoContractTool(c).decode(tmp);
        assertTrue(verdicts.values().stream().allMatch(v -> v == null), verdicts.toString());
        // -0.0 made +0.0 inside a list: equal as values, caught by the re-encoding.
        CorpusCase negative = load(c, "negative");
        ConformanceSample changed = ((ConformanceSample) negative.value()).toBuilder().setPackedReal64(0, 0.0).build();
        assertEquals(negative.value().hashCode() == changed.hashCode(), false);
        Files.write(tmp.resolve("negative.bin"), changed.toByteArray());
        verdicts = new GoContractTool(c).decode(tmp);
        assertTrue(verdicts.get("negative") != null && verdicts.get("negative").contains("field packed_real64"), verdicts.toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            changed value  | scalars     | 1  | 1    | has 0x97 where the description encodes to 0x96 (field i32, described at proto/testdata/conformance/scalars.txtpb:5)
            truncated      | nested_deep | -1 | 0    | does not decode as interop.v1.ConformanceSample: field 60: truncated: the input ends inside the field (field nested, described at proto/testdata/conformance/nested_deep.txtpb:6)
            bad tag        | maps        | 0  | 0    | does not decode as interop.v1.ConformanceSample: unreadable field tag
            invalid UTF-8  | utf8_text   | 4  | 2    | does not decode as interop.v1.ConformanceSample: field 14: string is not valid UTF-8 (field text, described at proto/testdata/conformance/utf8_text.txtpb:8)
            """)
    void aCorruptGoldenNamesFileByteFieldAndLine(String label, String name, int at, int offset, String why, @TempDir Path tmp) throws IOException {
        ContractConfig c = ContractConfig.fromSystemProperties();
        CorpusCase real = load(c, name);
        byte[] b = Files.readAllBytes(real.golden());
        if (at < 0) b = Arrays.copyOf(b, b.length / 2);
        else if (label.equals("bad tag")) b[at] = 0x07;
        else if (label.equals("invalid UTF-8")) b[at] = (byte) 0xff;
        else b[at]++;
        Path golden = tmp.resolve(name + ".binpb");
        Files.write(golden, b);
        CorpusCase k = new CorpusCase(real.name(), real.text(), golden, real.messageName(), real.exact(), real.value(), real.source());
        ContractException e = assertThrows(ContractException.class, () -> WireCorpus.checkGolden(c, k));
        assertTrue(e.getMessage().startsWith(golden + ": byte " + offset + ": " + why), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    @Test
    void aMissingGoldenSaysHowToWriteIt(@TempDir Path tmp) {
        ContractConfig c = ContractConfig.fromSystemProperties();
        CorpusCase real = load(c, "scalars");
        CorpusCase k = new CorpusCase(real.name(), real.text(), tmp.resolve("scalars.binpb"), real.messageName(), true, real.value(), real.source());
        ContractException e = assertThrows(ContractException.class, () -> WireCorpus.checkGolden(c, k));
        assertEquals(tmp.resolve("scalars.binpb") + ": golden vector missing (make contract-goldens writes it from scalars.txtpb)", e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            no header        | i32: 1                                                                     | x.txtpb:1: missing header line "# proto-message: FULL.MESSAGE.NAME"
            unknown type     | # proto-message: interop.v1.Nope                                           | x.txtpb:1: unknown message type "interop.v1.Nope"
            bad bytes header | # proto-message: interop.v1.ConformanceSample\\n# bytes: close             | x.txtpb:2: header "# bytes:" must be "exact" or "semantic", not "close"
            unknown field    | # proto-message: interop.v1.ConformanceSample\\ncolour: 1                  | x.txtpb:2:1: Input contains unknown fields and/or extensions: interop.v1.ConformanceSample.colour
            """)
    void aBadDescriptionNamesItsLine(String label, String text, String want, @TempDir Path tmp) throws IOException {
        Path p = tmp.resolve("x.txtpb");
        Files.writeString(p, text.replace("\\n", "\n") + "\n");
        ContractException e = assertThrows(ContractException.class, () -> WireCorpus.loadCase(ContractConfig.fromSystemProperties(), p));
        assertEquals(tmp + "/" + want, e.getMessage());
    }
}
