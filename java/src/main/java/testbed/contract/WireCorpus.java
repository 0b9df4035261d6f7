package testbed.contract;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import com.google.protobuf.WireFormat;
import testbed.proto.v1.ConformanceNested;
import testbed.proto.v1.ConformanceSample;
import testbed.proto.v1.ConformanceSampleNext;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Java side of the wire-conformance corpus (proto/testdata/conformance,
 * docs/CONTRACT.md): reads the descriptions, encodes them deterministically,
 * and checks bytes — golden vectors, or what the Go side encoded — against them.
 *
 * <p>Every fault is a {@link ContractException} of one line naming the file:
 * "NAME.txtpb:LINE:COL: ..." for a description, "NAME.binpb: byte N: ..." for a
 * binary, with the field at fault and the line of the description that sets it.
 * The Go side (go-peer/internal/contract) words its findings the same way.
 */
final class WireCorpus {
    /** The message types a description may name. */
    static final Map<String, Message> TYPES = Map.of(
            ConformanceSample.getDescriptor().getFullName(), ConformanceSample.getDefaultInstance(),
            ConformanceSampleNext.getDescriptor().getFullName(), ConformanceSampleNext.getDefaultInstance(),
            ConformanceNested.getDescriptor().getFullName(), ConformanceNested.getDefaultInstance());

    private static final Pattern HEADER = Pattern.compile("^#\\s*([a-z-]+):\\s*(.*?)\\s*$");

    private WireCorpus() {}

    /** Every NAME.txtpb of the corpus, in name order; an empty corpus is a fault. */
    static List<CorpusCase> load(ContractConfig c) {
        Path dir = c.corpusDir();
        if (!Files.isDirectory(dir)) throw new ContractException(c.display(dir) + ": corpus directory not found");
        List<Path> texts;
        try (Stream<Path> s = Files.list(dir)) {
            texts = s.filter(p -> p.getFileName().toString().endsWith(".txtpb")).sorted().toList();
        } catch (IOException e) {
            throw new ContractException(c.display(dir) + ": " + e.getMessage());
        }
        if (texts.isEmpty()) throw new ContractException(c.display(dir) + ": no *.txtpb cases in the corpus directory");
        List<CorpusCase> out = new ArrayList<>();
        for (Path t : texts) out.add(loadCase(c, t));
        return out;
    }

    static CorpusCase loadCase(ContractConfig c, Path text) {
        String shown = c.display(text);
        String source;
        try {
            source = Files.readString(text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ContractException(shown + ": cannot read: " + e.getMessage());
        }
        String file = text.getFileName().toString();
        String name = file.substring(0, file.length() - ".txtpb".length());
        Path golden = text.resolveSibling(name + ".binpb");
        String messageName = null;
        int messageLine = 0;
        boolean exact = true;
        String[] lines = source.split("\n", -1);
        boolean sawBytes = false;
        for (int i = 0; i < lines.length && lines[i].startsWith("#"); i++) {
            Matcher m = HEADER.matcher(lines[i]);
            if (!m.matches()) continue;
            switch (m.group(1)) {
                case "proto-message" -> {
                    if (messageName != null) throw new ContractException(shown + ":" + (i + 1) + ": header \"proto-message\" given twice");
                    messageName = m.group(2);
                    messageLine = i + 1;
                }
                case "bytes" -> {
                    if (sawBytes) throw new ContractException(shown + ":" + (i + 1) + ": header \"bytes\" given twice");
                    sawBytes = true;
                    String word = m.group(2).isBlank() ? "" : m.group(2).split("\\s+")[0].replaceAll("[:;,]+$", "");
                    switch (word) {
                        case "exact" -> exact = true;
                        case "semantic" -> exact = false;
                        default -> throw new ContractException(shown + ":" + (i + 1)
                                + ": header \"# bytes:\" must be \"exact\" or \"semantic\", not \"" + word + "\"");
                    }
                }
                default -> { }
            }
        }
        if (messageName == null) {
            throw new ContractException(shown + ":1: missing header line \"# proto-message: FULL.MESSAGE.NAME\"");
        }
        Message prototype = TYPES.get(messageName);
        if (prototype == null) throw new ContractException(shown + ":" + messageLine + ": unknown message type \"" + messageName + "\"");
        Message.Builder b = prototype.newBuilderForType();
        try {
            TextFormat.getParser().merge(source, b);
        } catch (TextFormat.ParseException e) {
            // protobuf-java lists unknown fields on lines of their own; one line is wanted.
            String msg = e.getMessage().replaceFirst("^\\d+:\\d+: ", "")
                    .replaceAll("\\s*\\n\\d+:\\d+:\\s*", " ").replaceAll("\\s*\\n\\s*", "; ");
            throw new ContractException(shown + ":" + e.getLine() + ":" + e.getColumn() + ": " + msg);
        }
        return new CorpusCase(name, text, golden, messageName, exact, b.build(), source);
    }

    /** Java's deterministic encoding: map entries sorted by key, as Java sorts them. */
    static byte[] deterministic(Message m) {
        byte[] out = new byte[m.getSerializedSize()];
        CodedOutputStream cos = CodedOutputStream.newInstance(out);
        cos.useDeterministicSerialization();
        try {
            m.writeTo(cos);
        } catch (IOException e) {
            throw new IllegalStateException("encoding into an array of the right size failed", e);
        }
        cos.checkNoSpaceLeft();
        return out;
    }

    /**
     * Checks the golden vector: it must decode to the described value and, for
     * an exact case, equal Java's deterministic encoding byte for byte.
     *
     * @return true when Java's deterministic encoding equals the golden (for a
     *         semantic case it may differ, and that is allowed)
     * @throws ContractException naming the golden, the byte and the description's line
     */
    static boolean checkGolden(ContractConfig c, CorpusCase k) {
        byte[] golden;
        try {
            golden = Files.readAllBytes(k.golden());
        } catch (NoSuchFileException e) {
            throw new ContractException(c.display(k.golden()) + ": golden vector missing (make contract-goldens writes it from "
                    + k.text().getFileName() + ")");
        } catch (IOException e) {
            throw new ContractException(c.display(k.golden()) + ": cannot read: " + e.getMessage());
        }
        Message decoded = decode(c, k, golden, c.display(k.golden()));
        byte[] mine = deterministic(k.value());
        boolean same = Arrays.equals(golden, mine);
        if (k.exact() && !same) {
            throw new ContractException(c.display(k.golden()) + ": byte " + difference(c, k, golden, mine));
        }
        if (!k.exact() && !decoded.equals(k.value())) {
            throw new ContractException(c.display(k.golden()) + ": decodes to another value: encoded again deterministically, byte "
                    + difference(c, k, deterministic(decoded), mine));
        }
        return same;
    }

    /**
     * Checks bytes the Go side encoded from the same description: they must
     * decode to the described value; for an exact case, decoded and encoded again
     * deterministically they must equal Java's encoding byte for byte (which keeps
     * the sign of a zero, a NaN's payload and unknown fields, and forgives only the
     * sender's map order).
     */
    static void checkDecoded(ContractConfig c, CorpusCase k, byte[] data, String path) {
        Message decoded = decode(c, k, data, path);
        byte[] mine = deterministic(k.value());
        if (k.exact()) {
            byte[] again = deterministic(decoded);
            if (!Arrays.equals(again, mine)) {
                throw new ContractException(path + ": decoded and encoded again deterministically, byte " + difference(c, k, again, mine));
            }
        } else if (!decoded.equals(k.value())) {
            throw new ContractException(path + ": decodes to another value: encoded again deterministically, byte "
                    + difference(c, k, deterministic(decoded), mine));
        }
    }

    /** Decodes {@code data} as the case's type; a fault names the byte and field at fault. */
    static Message decode(ContractConfig c, CorpusCase k, byte[] data, String path) {
        try {
            return k.value().getParserForType().parseFrom(data);
        } catch (InvalidProtocolBufferException e) {
            Corruption where = locateCorruption(data, k.value().getDescriptorForType(), 0, List.of());
            if (where == null) {
                throw new ContractException(path + ": does not decode as " + k.messageName() + ": " + e.getMessage());
            }
            throw new ContractException(path + ": byte " + where.offset() + ": does not decode as " + k.messageName() + ": "
                    + where.problem() + describedAt(c, k, where.fields()));
        }
    }

    /** "N has 0x.. where the description encodes to 0x.. (field f, described at NAME.txtpb:L)". */
    static String difference(ContractConfig c, CorpusCase k, byte[] got, byte[] want) {
        int i = Arrays.mismatch(got, want);
        String what;
        if (i < got.length && i < want.length) {
            what = String.format("has 0x%02x where the description encodes to 0x%02x", got[i] & 0xff, want[i] & 0xff);
        } else if (i < got.length) {
            what = "has " + (got.length - i) + " bytes more than the description encodes to (" + want.length + ")";
        } else {
            what = "ends " + (want.length - i) + " bytes before the description's encoding does (" + want.length + " bytes)";
        }
        List<FieldDescriptor> fields = fieldsAt(i < want.length ? want : got, i, k.value().getDescriptorForType());
        return i + ": " + what + describedAt(c, k, fields);
    }

    private static String describedAt(ContractConfig c, CorpusCase k, List<FieldDescriptor> fields) {
        if (fields.isEmpty()) return "";
        List<String> names = fields.stream().map(FieldDescriptor::getName).toList();
        StringBuilder s = new StringBuilder(" (field ").append(String.join(".", names));
        int line = textLine(k.source(), names);
        if (line > 0) s.append(", described at ").append(c.display(k.text())).append(':').append(line);
        return s.append(')').toString();
    }

    /**
     * The line of the description that sets the field path: the first line
     * naming its first element, then the first line from there naming the next,
     * and so on; 0 when not found.
     */
    static int textLine(String source, List<String> names) {
        String[] lines = source.split("\n", -1);
        int at = 0;
        int found = 0;
        for (String name : names) {
            Pattern p = Pattern.compile("^\\s*" + Pattern.quote(name) + "\\s*[:{<\\[]");
            boolean hit = false;
            for (int i = at; i < lines.length; i++) {
                if (p.matcher(lines[i]).find()) {
                    at = i;
                    found = i + 1;
                    hit = true;
                    break;
                }
            }
            if (!hit) break;
        }
        return found;
    }

    /** The first unreadable place in bytes that do not decode. */
    record Corruption(int offset, String problem, List<FieldDescriptor> fields) {}

    /**
     * Walks the wire format, descending into fields the descriptor knows as
     * messages, and returns the first field that cannot be read: a bad tag, a
     * truncated value, a string that is not UTF-8. Null when it finds none.
     */
    static Corruption locateCorruption(byte[] b, Descriptor md, int base, List<FieldDescriptor> path) {
        CodedInputStream in = CodedInputStream.newInstance(b);
        try {
            while (!in.isAtEnd()) {
                int start = in.getTotalBytesRead();
                int tag;
                try {
                    tag = in.readTag();
                } catch (InvalidProtocolBufferException e) {
                    return new Corruption(base + start, "unreadable field tag: " + shortReason(e), path);
                }
                int number = WireFormat.getTagFieldNumber(tag);
                FieldDescriptor fd = md.findFieldByNumber(number);
                List<FieldDescriptor> here = path;
                if (fd != null) {
                    here = new ArrayList<>(path);
                    here.add(fd);
                }
                try {
                    if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED && fd != null) {
                        int len = in.readRawVarint32();
                        int payloadStart = in.getTotalBytesRead();
                        byte[] payload = in.readRawBytes(len);
                        if (fd.getType() == FieldDescriptor.Type.MESSAGE) {
                            Corruption inner = locateCorruption(payload, fd.getMessageType(), base + payloadStart, here);
                            if (inner != null) return inner;
                        } else if (fd.getType() == FieldDescriptor.Type.STRING && !ByteString.copyFrom(payload).isValidUtf8()) {
                            return new Corruption(base + payloadStart, "field " + number + ": string is not valid UTF-8", here);
                        }
                    } else if (!in.skipField(tag)) {
                        return new Corruption(base + start, "field " + number + ": end-group tag without a group", here);
                    }
                } catch (InvalidProtocolBufferException e) {
                    return new Corruption(base + start, "field " + number + ": " + shortReason(e), here);
                }
            }
        } catch (IOException e) {
            return new Corruption(base, shortReason(e), path);
        }
        return null;
    }

    /** The path of fields whose encoding covers byte {@code offset} of {@code b}, outermost first. */
    static List<FieldDescriptor> fieldsAt(byte[] b, int offset, Descriptor md) {
        List<FieldDescriptor> path = new ArrayList<>();
        int base = 0;
        byte[] cur = b;
        Descriptor type = md;
        outer:
        while (true) {
            CodedInputStream in = CodedInputStream.newInstance(cur);
            try {
                while (!in.isAtEnd()) {
                    int start = base + in.getTotalBytesRead();
                    int tag = in.readTag();
                    FieldDescriptor fd = type.findFieldByNumber(WireFormat.getTagFieldNumber(tag));
                    byte[] payload = null;
                    int payloadStart = 0;
                    if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                        int len = in.readRawVarint32();
                        payloadStart = base + in.getTotalBytesRead();
                        payload = in.readRawBytes(len);
                    } else {
                        in.skipField(tag);
                    }
                    int end = base + in.getTotalBytesRead();
                    if (offset >= start && offset < end) {
                        if (fd == null) return path;
                        path.add(fd);
                        if (payload != null && fd.getType() == FieldDescriptor.Type.MESSAGE && offset >= payloadStart) {
                            cur = payload;
                            base = payloadStart;
                            type = fd.getMessageType();
                            continue outer;
                        }
                        return path;
                    }
                }
            } catch (IOException e) {
                return path;
            }
            return path;
        }
    }

    /** protobuf-java's exception messages are paragraphs; the first sentence says enough. */
    static String shortReason(Exception e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        if (m.contains("ended unexpectedly")) return "truncated: the input ends inside the field";
        int dot = m.indexOf(". ");
        return dot > 0 ? m.substring(0, dot) : m.replaceAll("\\.$", "");
    }

    /** One row of the report's details for a case. */
    static Map<String, Object> row(CorpusCase k, String verdict, String note) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("case", k.name());
        m.put("message", k.messageName().substring(k.messageName().lastIndexOf('.') + 1));
        m.put("bytes", k.exact() ? "exact" : "semantic");
        m.put("verdict", verdict);
        if (note != null && !note.isEmpty()) m.put("note", note);
        return m;
    }
}
