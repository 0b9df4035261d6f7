package testbed.region;

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The parsed text of a layout declaration, {@code native/region.layout} or
 * {@code native/litmus.layout}, and its comparison with a Java view of it ({@link RegionLayout} for
 * the region).
 *
 * <p>Grammar (one item per line; '#' starts a comment; blank lines are ignored):
 * <pre>
 *   const   NAME VALUE          VALUE decimal or 0x-hex
 *   field   NAME OFFSET SIZE    NAME is "PART.&lt;field&gt;", PART "header" in region.layout
 *   section NAME OFFSET SIZE    SIZE 0: sized by the header (region), to the section's end (litmus)
 * </pre>
 * A line that does not follow it is an error naming the file, the line number and the line.
 */
public record LayoutDeclaration(
        Map<String, Long> constants, Map<String, Span> fields, Map<String, Span> sections) {

    /** A byte range: offset and size. */
    public record Span(long offset, long size) {
        @Override
        public String toString() {
            return "offset " + offset + " size " + size;
        }
    }

    /** A region.layout line that does not follow the grammar. */
    public static final class MalformedLayoutException extends RuntimeException {
        public MalformedLayoutException(String message) {
            super(message);
        }
    }

    public LayoutDeclaration {
        constants = Collections.unmodifiableMap(new LinkedHashMap<>(constants));
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        sections = Collections.unmodifiableMap(new LinkedHashMap<>(sections));
    }

    /** Reads and parses a region declaration file: its fields are "header.&lt;field&gt;". */
    public static LayoutDeclaration read(Path file) throws IOException {
        return read(file, List.of("header"));
    }

    /** Reads and parses a declaration file whose fields are "PART.&lt;field&gt;", PART one of {@code fieldParts}. */
    public static LayoutDeclaration read(Path file, List<String> fieldParts) throws IOException {
        return parse(file.toString(), Files.readAllLines(file), fieldParts);
    }

    /** Parses region declaration lines; {@code source} names them in error messages. */
    public static LayoutDeclaration parse(String source, List<String> lines) {
        return parse(source, lines, List.of("header"));
    }

    /**
     * Parses declaration lines whose fields are "PART.&lt;field&gt;", PART one of {@code fieldParts};
     * {@code source} names them in error messages.
     */
    public static LayoutDeclaration parse(String source, List<String> lines, List<String> fieldParts) {
        Map<String, Long> constants = new LinkedHashMap<>();
        Map<String, Span> fields = new LinkedHashMap<>();
        Map<String, Span> sections = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String raw = lines.get(i);
            int hash = raw.indexOf('#');
            String text = (hash >= 0 ? raw.substring(0, hash) : raw).strip();
            if (text.isEmpty()) {
                continue;
            }
            String where = source + ":" + (i + 1);
            String[] words = text.split("\\s+");
            switch (words[0]) {
                case "const" -> {
                    expectWords(where, raw, words, 3, "const NAME VALUE");
                    putOnce(where, constants, words[1], number(where, raw, words[2]));
                }
                case "field" -> {
                    expectWords(where, raw, words, 4, "field NAME OFFSET SIZE");
                    int dot = words[1].indexOf('.');
                    if (dot < 0 || dot == words[1].length() - 1 || !fieldParts.contains(words[1].substring(0, dot))) {
                        throw new MalformedLayoutException(
                                where + ": field name must be " + partsText(fieldParts) + ", got '" + words[1] + "'");
                    }
                    putOnce(where, fields, words[1],
                            new Span(number(where, raw, words[2]), number(where, raw, words[3])));
                }
                case "section" -> {
                    expectWords(where, raw, words, 4, "section NAME OFFSET SIZE");
                    putOnce(where, sections, words[1],
                            new Span(number(where, raw, words[2]), number(where, raw, words[3])));
                }
                default -> throw new MalformedLayoutException(
                        where + ": unknown item '" + words[0] + "' (want const, field or section) in '"
                                + raw.strip() + "'");
            }
        }
        return new LayoutDeclaration(constants, fields, sections);
    }

    /**
     * Every difference between this declaration and {@link RegionLayout}, one readable line each;
     * empty when they agree on every constant, header field and section, and name the same set of each.
     */
    public List<String> differencesFromJava() {
        List<String> out = new ArrayList<>();
        compare(out, "const", constants, RegionLayout.CONSTANTS, Set.of());

        Map<String, Span> javaFields = headerFields(RegionLayout.HEADER);
        compare(out, "field", fields, javaFields, Set.of());
        long declaredHeader = constants.getOrDefault("HEADER_SIZE", -1L);
        if (RegionLayout.HEADER.byteSize() != declaredHeader) {
            out.add("HEADER layout is " + RegionLayout.HEADER.byteSize()
                    + " bytes, declaration's HEADER_SIZE is " + declaredHeader);
        }

        Map<String, Span> javaSections = new LinkedHashMap<>();
        for (RegionLayout.Section s : RegionLayout.SECTIONS) {
            javaSections.put(s.name(), new Span(s.offset(), s.size()));
        }
        compare(out, "section", sections, javaSections, Set.of());
        return out;
    }

    /**
     * Every difference between this declaration and a Java view of it, one readable line each
     * naming the item and both values; empty when they agree. A name the declaration holds and
     * Java lacks is a difference unless {@code notJava} lists it ("const NAME", "field NAME",
     * "section NAME": declared for the other runtimes only); a name Java has and the declaration
     * lacks always is.
     */
    public List<String> differences(Map<String, Long> javaConstants, Map<String, Span> javaFields,
                                    Map<String, Span> javaSections, Set<String> notJava) {
        List<String> out = new ArrayList<>();
        compare(out, "const", constants, javaConstants, notJava);
        compare(out, "field", fields, javaFields, notJava);
        compare(out, "section", sections, javaSections, notJava);
        return out;
    }

    /** The header fields of a struct layout, named "header.&lt;member&gt;", in declaration order. */
    public static Map<String, Span> headerFields(StructLayout header) {
        Map<String, Span> out = new LinkedHashMap<>();
        for (MemoryLayout member : header.memberLayouts()) {
            String name = member.name().orElseThrow(
                    () -> new IllegalStateException("unnamed member in " + header));
            if (name.startsWith("padding")) {
                continue;
            }
            out.put("header." + name, new Span(
                    header.byteOffset(PathElement.groupElement(name)), member.byteSize()));
        }
        return out;
    }

    private static <V> void compare(List<String> out, String kind, Map<String, V> declared, Map<String, V> java,
                                    Set<String> notJava) {
        Set<String> names = new TreeSet<>(declared.keySet());
        names.addAll(java.keySet());
        for (String name : names) {
            V want = declared.get(name);
            V have = java.get(name);
            if (want == null) {
                out.add(kind + " " + name + ": in Java (" + have + ") but not in the declaration");
            } else if (have == null && notJava.contains(kind + " " + name)) {
                continue;
            } else if (have == null) {
                out.add(kind + " " + name + ": declared (" + want + ") but missing in Java");
            } else if (!want.equals(have)) {
                out.add(kind + " " + name + ": declared " + want + ", Java has " + have);
            }
        }
    }

    /** "header.&lt;name&gt;", or "control.&lt;name&gt;, descriptor.&lt;name&gt; or pacing.&lt;name&gt;". */
    private static String partsText(List<String> parts) {
        List<String> each = parts.stream().map(p -> p + ".<name>").toList();
        return each.size() == 1 ? each.get(0)
                : String.join(", ", each.subList(0, each.size() - 1)) + " or " + each.get(each.size() - 1);
    }

    private static void expectWords(String where, String raw, String[] words, int n, String form) {
        if (words.length != n) {
            throw new MalformedLayoutException(
                    where + ": want '" + form + "', got '" + raw.strip() + "'");
        }
    }

    private static long number(String where, String raw, String word) {
        try {
            if (word.startsWith("0x") || word.startsWith("0X")) {
                return Long.parseUnsignedLong(word.substring(2), 16);
            }
            return Long.parseLong(word);
        } catch (NumberFormatException e) {
            throw new MalformedLayoutException(
                    where + ": '" + word + "' is not a number in '" + raw.strip() + "'");
        }
    }

    private static <V> void putOnce(String where, Map<String, V> map, String name, V value) {
        if (map.putIfAbsent(name, value) != null) {
            throw new MalformedLayoutException(where + ": '" + name + "' is declared twice");
        }
    }
}
