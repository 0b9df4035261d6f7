package testbed.litmus.lang;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A litmus test as its file states it, in C11 terms, before any runtime is bound to its
 * threads: what {@link LitmusParser} returns for a file it accepts. Every name in it
 * resolves (each location is declared, each register in the condition is written by its
 * thread); the limits of {@link Limits} hold.
 *
 * @param source      the file it came from
 * @param name        the name after {@code C}, e.g. {@code SB+fences}
 * @param description the optional quoted description, or ""
 * @param locations   every shared location, in order of first declaration
 * @param threads     P0, P1, ... in order
 * @param observed    extra observables of a {@code locations [...]} clause (often empty)
 * @param condition   the final condition
 */
public record LitmusProgram(Path source, String name, String description, List<Location> locations,
                            List<ThreadCode> threads, List<Condition.Observable> observed, Condition condition) {
    public LitmusProgram {
        locations = List.copyOf(locations);
        threads = List.copyOf(threads);
        observed = List.copyOf(observed);
    }

    /** The index of location {@code name} in {@link #locations}; the parser resolves every name a program uses. */
    public int locationIndex(String name) {
        for (int i = 0; i < locations.size(); i++) if (locations.get(i).name().equals(name)) return i;
        throw new IllegalArgumentException(this.name + ": no location " + name);
    }

    public Optional<Location> location(String name) {
        return locations.stream().filter(l -> l.name().equals(name)).findFirst();
    }

    /**
     * What an outcome is made of: the condition's observables in order of first
     * appearance, then those of the {@code locations} clause not already named.
     */
    public List<Condition.Observable> outcomeShape() {
        List<Condition.Observable> out = new ArrayList<>(condition.observables());
        for (Condition.Observable o : observed) if (!out.contains(o)) out.add(o);
        return List.copyOf(out);
    }
}
