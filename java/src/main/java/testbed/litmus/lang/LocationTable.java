package testbed.litmus.lang;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shared locations of one file as the parser meets them: in the initial state and
 * in the threads' parameters. It refuses a location initialised twice, a location whose
 * threads disagree on its atomicity, and more than {@link Limits#MAX_LOCATIONS} of them.
 */
final class LocationTable {

    private static final class Entry {
        final String name;
        final Position firstSeen;
        Position initialisedAt;
        long initial;
        Boolean atomic;
        int declaringThread;
        Position declaredAt;

        Entry(String name, Position firstSeen) {
            this.name = name;
            this.firstSeen = firstSeen;
        }
    }

    private final LitmusLexer lexer;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    LocationTable(LitmusLexer lexer) {
        this.lexer = lexer;
    }

    boolean contains(String name) {
        return entries.containsKey(name);
    }

    /** {@code name = value;} in the initial state. */
    void initialise(String name, long value, Position at) {
        Entry e = entry(name, at);
        if (e.initialisedAt != null) {
            throw lexer.refuse(at, name + " is initialised twice: first at " + e.initialisedAt);
        }
        e.initialisedAt = at;
        e.initial = value;
    }

    /** A parameter {@code atomic_int* name} or {@code int* name} of thread Pn. */
    void declare(String name, boolean atomic, int thread, Position at) {
        Entry e = entry(name, at);
        if (e.atomic == null) {
            e.atomic = atomic;
            e.declaringThread = thread;
            e.declaredAt = at;
        } else if (e.atomic != atomic) {
            throw lexer.refuse(at, name + " is " + type(atomic) + " in P" + thread + " but " + type(e.atomic)
                    + " in P" + e.declaringThread + " (" + e.declaredAt + "): every thread must agree"
                    + " whether a location is atomic");
        }
    }

    private static String type(boolean atomic) {
        return atomic ? "atomic_int*" : "int*";
    }

    private Entry entry(String name, Position at) {
        Entry e = entries.get(name);
        if (e != null) return e;
        if (entries.size() == Limits.MAX_LOCATIONS) {
            throw lexer.refuse(at, "too many locations: " + name + " would be location " + (Limits.MAX_LOCATIONS + 1)
                    + ", and a test has at most " + Limits.MAX_LOCATIONS + " (" + String.join(", ", entries.keySet()) + ")");
        }
        e = new Entry(name, at);
        entries.put(name, e);
        return e;
    }

    /**
     * The locations in order of first declaration. A location no thread names is
     * non-atomic: no thread accesses it, so only its initial value can be observed.
     */
    List<Location> locations() {
        List<Location> out = new ArrayList<>();
        for (Entry e : entries.values()) {
            out.add(new Location(e.name, e.atomic != null && e.atomic, e.initial, e.firstSeen));
        }
        return out;
    }
}
