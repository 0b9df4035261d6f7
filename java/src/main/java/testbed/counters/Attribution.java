package testbed.counters;

import testbed.counters.SlotSweep.Kind;
import testbed.counters.SlotSweep.Reading;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Who lost what, read from the region after a case. Every actor reports the increments it
 * made (its share of the slot it was given); a word that lost no update to a race holds a
 * sum of whole shares. For each swept word that is not what it must be, this finds the sets
 * of shares whose sum is what the word holds: one set names exactly whose increments are
 * there, and so whose are missing from where they belong.
 *
 * <p>The answer is unique when no two sets of shares have the same sum, which the suite
 * arranges by giving each counted actor its own share, N + 2^k (docs/COUNTERS.md). Where
 * shares could collide (a guest's count beside a host count taken at run time), two
 * matching sets are reported as ambiguous and no runtime is named for that word. A word
 * that lost updates holds no whole set; it is reported as such, and nobody is named for it.
 */
final class Attribution {
    /** One actor's share: its runtime, the slot it was given, and the increments it says it made. */
    record Share(String runtime, String slot, long increments) {}

    /** Subsets of at most this many shares are searched (2^20 sums per word off its value). */
    static final int MAX_SHARES = 20;

    /** What a share's row says when it cannot be placed. */
    static final String NOWHERE = "nowhere swept", UNDETERMINED = "undetermined", AMBIGUOUS = "ambiguous";

    private final List<Share> shares;
    private final List<Reading> readings;
    /** Per share, the words found to hold it (in address order). */
    private final List<Set<String>> foundIn = new ArrayList<>();
    /** Per used slot: the sets of shares whose sum it holds (none, one, or two when ambiguous). */
    private final Map<String, List<Long>> slotSets = new LinkedHashMap<>();
    private final List<String> slotLines = new ArrayList<>(), strayLines = new ArrayList<>();
    private final List<Map<String, Object>> offRows = new ArrayList<>();
    private final Set<String> ambiguousRuntimes = new LinkedHashSet<>();

    private Attribution(List<Share> shares, List<Reading> readings) {
        this.shares = List.copyOf(shares);
        this.readings = List.copyOf(readings);
        for (int i = 0; i < shares.size(); i++) foundIn.add(new LinkedHashSet<>());
    }

    /** Reads {@code readings} (every swept word) as sums of {@code shares}. */
    static Attribution of(List<Share> shares, List<Reading> readings) {
        Attribution a = new Attribution(shares, readings);
        a.decode();
        return a;
    }

    private void decode() {
        Map<Reading, List<Long>> sets = new LinkedHashMap<>();
        for (Reading r : readings) {
            String name = r.word().name();
            if (r.kind() == Kind.USED && r.actual() == counted(name)) {
                // Nothing moved in or out: its own shares are there.
                slotSets.put(name, List.of(own(name)));
                for (int i = 0; i < shares.size(); i++) if (shares.get(i).slot().equals(name)) foundIn.get(i).add(name);
            } else if (r.kind() == Kind.USED || r.off()) {
                List<Long> s = setsSumming(r.actual() - (r.kind() == Kind.GUARD ? r.expected() : 0));
                sets.put(r, s);
                if (r.kind() == Kind.USED) slotSets.put(name, s);
                if (s.size() == 1) {
                    for (int i = 0; i < shares.size(); i++) if ((s.get(0) >>> i & 1) != 0) foundIn.get(i).add(name);
                }
            }
        }
        // Lines only once every word is decoded: a slot's line says where its missing shares went.
        for (Reading r : readings) {
            if (r.kind() == Kind.USED) {
                if (r.off() || counted(r.word().name()) != r.expected()) slotLines.add(slotLine(r, sets.get(r)));
            } else if (r.off()) {
                strayLines.add(strayLine(r, sets.get(r)));
            }
            if (r.off()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("word", r.word().name());
                row.put("kind", r.kind().label());
                row.put("expected", r.expected());
                row.put("actual", r.actual());
                row.put("holds", sets.containsKey(r) ? holds(sets.get(r)) : "its own actors' shares");
                offRows.add(row);
            }
        }
    }

    /** What the actors given {@code slot} say they added to it. */
    private long counted(String slot) {
        long sum = 0;
        for (Share s : shares) if (s.slot().equals(slot)) sum += s.increments();
        return sum;
    }

    private long own(String slot) {
        long mask = 0;
        for (int i = 0; i < shares.size(); i++) if (shares.get(i).slot().equals(slot)) mask |= 1L << i;
        return mask;
    }

    /** The sets of shares (bit masks over {@link #shares}) that add up to {@code target}; at most two are kept. */
    private List<Long> setsSumming(long target) {
        List<Integer> nonzero = new ArrayList<>();
        for (int i = 0; i < shares.size(); i++) if (shares.get(i).increments() != 0) nonzero.add(i);
        List<Long> found = new ArrayList<>();
        if (target < 0 || nonzero.size() > MAX_SHARES) return found;
        for (long m = 0; m < 1L << nonzero.size() && found.size() < 2; m++) {
            long sum = 0, mask = 0;
            for (int b = 0; b < nonzero.size(); b++) {
                if ((m >>> b & 1) == 0) continue;
                int i = nonzero.get(b);
                sum += shares.get(i).increments();
                mask |= 1L << i;
            }
            if (sum == target) found.add(mask);
        }
        return found;
    }

    private String slotLine(Reading r, List<Long> sets) {
        String name = r.word().name();
        String head = String.format(Locale.ROOT, "%s = %,d, want %,d (actors counted %,d)", name, r.actual(), r.expected(), counted(name));
        if (r.actual() == counted(name)) return head;
        if (sets.size() != 1) {
            if (sets.size() > 1) ambiguousRuntimes.addAll(runtimesIn(sets));
            return head + (sets.isEmpty()
                    ? ": not a whole set of the actors' shares (updates lost or torn), so no runtime can be named for it"
                    : ": it matches more than one set of the actors' shares (" + alternatives(sets) + "), so no runtime can be named for it");
        }
        long held = sets.get(0), own = own(name);
        List<String> parts = new ArrayList<>();
        List<String> foreign = new ArrayList<>();
        for (int i = 0; i < shares.size(); i++) {
            if ((held >>> i & 1) != 0 && (own >>> i & 1) == 0) foreign.add(shareText(i, true));
        }
        if (!foreign.isEmpty()) parts.add("it holds " + String.join(" and ", foreign));
        for (int i = 0; i < shares.size(); i++) {
            if ((own >>> i & 1) == 0 || (held >>> i & 1) != 0) continue;
            Share s = shares.get(i);
            String where = landed(i);
            parts.add(String.format(Locale.ROOT, "%s's %,d for it %s", s.runtime(), s.increments(),
                    where.equals(NOWHERE) ? "are in no swept word" : "landed in " + where));
        }
        return head + ": " + String.join("; ", parts);
    }

    private String strayLine(Reading r, List<Long> sets) {
        String head = String.format(Locale.ROOT, "%s (%s) holds %,d", r.word().name(), r.kind().label(), r.actual())
                + (r.kind() == Kind.GUARD ? String.format(Locale.ROOT, ", %,d before the case", r.expected()) : "");
        if (sets.isEmpty()) return head + ": not a whole set of the actors' shares, so no runtime can be named";
        if (sets.size() > 1) ambiguousRuntimes.addAll(runtimesIn(sets));
        return head + ": increments landed outside their slot: " + alternatives(sets);
    }

    /** "go's for packed[1]", sets joined by " or ". */
    private String alternatives(List<Long> sets) {
        List<String> alts = new ArrayList<>();
        for (long m : sets) {
            List<String> in = new ArrayList<>();
            for (int i = 0; i < shares.size(); i++) if ((m >>> i & 1) != 0) in.add(shareText(i, false));
            alts.add(in.isEmpty() ? "nothing" : String.join(" and ", in));
        }
        return String.join(" or ", alts);
    }

    private String shareText(int i, boolean withCount) {
        Share s = shares.get(i);
        return withCount ? String.format(Locale.ROOT, "%s's %,d for %s", s.runtime(), s.increments(), s.slot())
                : s.runtime() + "'s for " + s.slot();
    }

    private String holds(List<Long> sets) {
        if (sets.isEmpty()) return "no whole set of shares";
        return alternatives(sets);
    }

    private Set<String> runtimesIn(List<Long> sets) {
        Set<String> r = new LinkedHashSet<>();
        for (long m : sets) for (int i = 0; i < shares.size(); i++) if ((m >>> i & 1) != 0) r.add(shares.get(i).runtime());
        return r;
    }

    /** Where share {@code i} was found: word name(s), or {@link #NOWHERE}, {@link #UNDETERMINED}, {@link #AMBIGUOUS}. */
    private String landed(int i) {
        if (!foundIn.get(i).isEmpty()) return String.join(", ", foundIn.get(i));
        String slot = shares.get(i).slot();
        if (shares.get(i).increments() == 0) return slot;
        List<Long> sets = slotSets.getOrDefault(slot, List.of());
        return sets.size() == 1 ? NOWHERE : sets.isEmpty() ? UNDETERMINED : AMBIGUOUS;
    }

    /**
     * Per runtime, the shares that landed outside their slot or nowhere swept, in one sentence
     * each: "go's increments landed outside their slot: packed[0]'s in packed[1]".
     */
    List<String> summary() {
        Map<String, List<String>> moved = new LinkedHashMap<>(), missing = new LinkedHashMap<>();
        for (int i = 0; i < shares.size(); i++) {
            Share s = shares.get(i);
            String where = landed(i);
            if (where.equals(NOWHERE)) missing.computeIfAbsent(s.runtime(), k -> new ArrayList<>()).add(s.slot());
            else if (foundIn.get(i).size() > 0 && !where.equals(s.slot())) {
                moved.computeIfAbsent(s.runtime(), k -> new ArrayList<>()).add(s.slot() + "'s in " + where);
            }
        }
        List<String> out = new ArrayList<>();
        moved.forEach((rt, l) -> out.add(rt + "'s increments landed outside their slot: " + String.join(", ", l)));
        missing.forEach((rt, l) -> out.add(rt + "'s increments for " + String.join(", ", l) + " are in no swept word"));
        return out;
    }

    /** Runtimes whose increments are misplaced or missing, and those a word's ambiguous reading could mean. */
    Set<String> named() {
        Set<String> n = new LinkedHashSet<>();
        for (int i = 0; i < shares.size(); i++) {
            String where = landed(i);
            if (where.equals(NOWHERE) || (!foundIn.get(i).isEmpty() && !where.equals(shares.get(i).slot()))) n.add(shares.get(i).runtime());
        }
        n.addAll(ambiguousRuntimes);
        return n;
    }

    /** Everything wrong, one line each: the summary, then the used slots, then the other words, in address order. */
    List<String> lines() {
        List<String> all = new ArrayList<>(summary());
        all.addAll(slotLines);
        all.addAll(strayLines);
        return all;
    }

    /** Whether a word other than a used slot is not what it must be. */
    boolean stray() {
        return !strayLines.isEmpty();
    }

    /** What the words other than the used slots gained during the case (net). */
    long misplacedIncrements() {
        long sum = 0;
        for (Reading r : readings) if (r.kind() != Kind.USED) sum += r.actual() - r.expected();
        return sum;
    }

    /** Per share: runtime, slot, increments, and the word(s) it was found in (or why it was not). */
    List<Map<String, Object>> landedRows() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < shares.size(); i++) {
            Share s = shares.get(i);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("runtime", s.runtime());
            row.put("slot", s.slot());
            row.put("increments", s.increments());
            row.put("landed", landed(i));
            rows.add(row);
        }
        return rows;
    }

    /** One row per swept word that does not hold what it must: word, kind, expected, actual, and whose shares it holds. */
    List<Map<String, Object>> offRows() {
        return offRows;
    }
}
