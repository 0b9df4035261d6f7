package testbed.litmus.model;

import testbed.litmus.lang.Condition;
import testbed.litmus.lang.LitmusProgram;
import testbed.litmus.lang.Location;
import testbed.litmus.lang.Statement;
import testbed.litmus.lang.Strength;
import testbed.litmus.lang.ThreadCode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * RC11 without its no-thin-air axiom, the model docs/MEMORY_MODEL.md defines, computed the
 * slow way so that {@link Rc11Model} can be held to it: every candidate execution is built
 * and every axiom evaluated on it, with nothing shared with {@link ExecutionSearch}. The
 * definitions are herd7's {@code rc11.cat}, transcribed relation by relation:
 *
 * <pre>
 * let mo = co
 * let sb = po
 * let myrmw = [RMW] | rmw
 * let rb = (rf^-1; mo) \ id
 * let eco = (rf | mo | rb)+
 * let rs = [W]; (sb &amp; loc)?; [W &amp; (RLX | REL | ACQ_REL | ACQ | SC)]; (rf; myrmw)*
 * let sw = [(REL | ACQ_REL | SC)]; ([F]; sb)?; rs; rf; [R &amp; (RLX | REL | ACQ | ACQ_REL | SC)];
 *          (sb; [F])?; [(ACQ | ACQ_REL | SC)]
 * let hb = (sb | sw)+
 * let sbl = sb \ loc
 * let hbl = hb &amp; loc
 * let scb = sb | sbl; hb; sbl | hbl | mo | rb
 * let pscb = ([SC] | [F &amp; SC]; hb?); scb; ([SC] | hb? ; [F &amp; SC])
 * let pscf = [F &amp; SC]; (hb | hb; eco; hb); [F &amp; SC]
 * let psc = pscb | pscf
 * let cnf = ((W * _) | (_ * W)) &amp; loc \ ((IW * _) | (_ * IW))
 * let dr = (cnf &amp; ext) \ (hb | hb^-1 | A * A)
 * undefined_unless empty dr as Dr
 * irreflexive hb; eco? as coherence1
 * irreflexive (myrmw; eco) as coherencermw
 * empty (myrmw &amp; (rb; mo)) as atomicity
 * acyclic psc as SC
 * acyclic (sb | rf) as no-thin-air          (left out, as in the model)
 * </pre>
 *
 * <p>Events are the paper's, not the model's: a read-modify-write is a read and a write
 * linked by {@code rmw} (so {@code [RMW]} is empty), both carrying the RMW's order; a
 * compare-exchange is a plain read of its expected location e, then on success a read and
 * a write of x linked by {@code rmw}, on failure a read of x and a plain write of that
 * value to e. A relaxed fence is an F event that no set above but F names. Initial writes
 * (IW) belong to no thread, so no sb edge leaves them, and they come first in mo. Plain
 * accesses are C11's non-atomics: in no set but R or W.
 *
 * <p>The enumeration prunes nothing: every path through the compare-exchanges, every write
 * of the location for every read (the program order and the values notwithstanding), every
 * order of each location's non-initial writes. A choice of rf whose values are not
 * consistent with the path (a compare-exchange that succeeds on unequal values) belongs to
 * another path and is skipped; one whose values depend on each other in a cycle has no
 * values at all, and is skipped too (such a cycle runs through RMWs alone, whose atomicity
 * no mo satisfies).
 */
final class BruteForceRc11 {

    /** The allowed outcomes over {@link LitmusProgram#outcomeShape()}, and whether some consistent execution races. */
    record Verdict(Set<List<Long>> allowed, boolean dataRace, long candidates) { }

    private BruteForceRc11() {}

    /** How many candidate executions {@link #judge} builds, without building them; saturates at Long.MAX_VALUE. */
    static long candidates(LitmusProgram p) {
        long total = 0;
        for (int path = 0; path < 1 << compareExchanges(p); path++) {
            Events g = new Events(p, path);
            long count = 1;
            for (int r : g.reads) count = times(count, g.writesTo(g.loc(r)).size());
            for (String l : g.locations) {
                for (int k = 2; k < g.writesTo(l).size(); k++) count = times(count, k);
            }
            total = total + count < 0 ? Long.MAX_VALUE : total + count;
        }
        return total;
    }

    static Verdict judge(LitmusProgram p) {
        Set<List<Long>> allowed = new HashSet<>();
        boolean race = false;
        long candidates = 0;
        for (int path = 0; path < 1 << compareExchanges(p); path++) {
            Events g = new Events(p, path);
            if (g.size() > 64) throw new IllegalArgumentException(p.name() + ": more than 64 events");
            int[] rf = new int[g.size()];
            List<List<Integer>> sources = new ArrayList<>();
            for (int r : g.reads) sources.add(g.writesTo(g.loc(r)));
            List<List<int[]>> orders = new ArrayList<>();
            for (String l : g.locations) orders.add(moOrders(g.writesTo(l)));
            int[] moSizes = orders.stream().mapToInt(List::size).toArray();
            long moCount = 1;
            for (int size : moSizes) moCount *= size;
            int[] rfChoice = new int[g.reads.size()];
            do {
                for (int i = 0; i < rfChoice.length; i++) rf[g.reads.get(i)] = sources.get(i).get(rfChoice[i]);
                Map<Integer, Long> value = values(g, rf);
                boolean onPath = value != null;
                for (int[] cas : g.casChecks) {
                    if (onPath && value.get(cas[0]).equals(value.get(cas[1])) != (cas[2] == 1)) onPath = false;
                }
                if (!onPath) {
                    candidates += moCount;
                    continue;
                }
                Candidate c = new Candidate(g, rf);
                int[] moChoice = new int[orders.size()];
                do {
                    candidates++;
                    List<int[]> mo = new ArrayList<>();
                    for (int l = 0; l < moChoice.length; l++) mo.add(orders.get(l).get(moChoice[l]));
                    if (!c.consistent(mo)) continue;
                    allowed.add(outcome(p, g, value, mo));
                    race |= c.dataRace();
                } while (next(moChoice, moSizes));
            } while (next(rfChoice, sources.stream().mapToInt(List::size).toArray()));
        }
        return new Verdict(allowed, race, candidates);
    }

    private static int compareExchanges(LitmusProgram p) {
        int n = 0;
        for (ThreadCode t : p.threads()) for (Statement s : t.statements()) if (s instanceof Statement.CompareExchange) n++;
        return n;
    }

    /** The mo orders of one location: its initial write first, then every permutation of the rest. */
    private static List<int[]> moOrders(List<Integer> writes) {
        List<int[]> out = new ArrayList<>();
        permute(writes.stream().mapToInt(Integer::intValue).toArray(), 1, out);
        return out;
    }

    private static void permute(int[] a, int k, List<int[]> out) {
        if (k >= a.length) {
            out.add(a.clone());
            return;
        }
        for (int i = k; i < a.length; i++) {
            int t = a[k]; a[k] = a[i]; a[i] = t;
            permute(a, k + 1, out);
            t = a[k]; a[k] = a[i]; a[i] = t;
        }
    }

    /** Odometer step over digits {@code d[i] < size[i]}; false after the last combination. */
    private static boolean next(int[] d, int[] size) {
        for (int i = 0; i < d.length; i++) {
            if (++d[i] < size[i]) return true;
            d[i] = 0;
        }
        return false;
    }

    private static long times(long a, long b) {
        return b != 0 && a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
    }

    /** The value of every event that has one under this rf, or null when they depend on each other in a cycle. */
    private static Map<Integer, Long> values(Events g, int[] rf) {
        Map<Integer, Long> value = new HashMap<>();
        for (int e = 0; e < g.size(); e++) {
            if (g.kind(e) != 'F' && value(g, rf, e, value, new HashSet<>()) == null) return null;
        }
        return value;
    }

    private static Long value(Events g, int[] rf, int e, Map<Integer, Long> value, Set<Integer> visiting) {
        if (value.containsKey(e)) return value.get(e);
        if (!visiting.add(e)) return null;
        Long v;
        if (g.kind(e) == 'R') {
            v = value(g, rf, rf[e], value, visiting);
        } else {
            Event w = g.events.get(e);
            Long base = w.valueFrom < 0 ? (Long) 0L : value(g, rf, w.valueFrom, value, visiting);
            v = base == null ? null : base + w.constant;
        }
        if (v != null) value.put(e, v);
        return v;
    }

    private static List<Long> outcome(LitmusProgram p, Events g, Map<Integer, Long> value, List<int[]> mo) {
        List<Long> out = new ArrayList<>();
        for (Condition.Observable o : p.outcomeShape()) {
            switch (o) {
                case Condition.Observable.Register r -> {
                    long[] last = g.registers.get(r.label());
                    out.add(last[0] >= 0 ? value.get((int) last[0]) : last[1]);
                }
                case Condition.Observable.Memory m -> {
                    int[] order = mo.get(g.locations.indexOf(m.location()));
                    out.add(value.get(order[order.length - 1]));
                }
            }
        }
        return out;
    }

    /**
     * One event. A write's value is {@code constant}, plus the value of event {@code valueFrom}
     * when that is not -1 (a fetch_add adds to what its read half read; a failed
     * compare-exchange copies what it read of x).
     */
    private record Event(int thread, char kind, String location, Strength order, int valueFrom, long constant) { }

    /** The events of the program on one path: bit k of {@code path} set means the k-th compare-exchange succeeds. */
    private static final class Events {
        final List<Event> events = new ArrayList<>();
        final List<String> locations = new ArrayList<>();
        final List<Integer> reads = new ArrayList<>();
        final List<int[]> rmw = new ArrayList<>();
        /** Each compare-exchange: its read of x, its read of e, 1 if it succeeds on this path. */
        final List<int[]> casChecks = new ArrayList<>();
        /** Each register's last assignment: {event whose read value it holds, -1} or {-1, constant}. */
        final Map<String, long[]> registers = new HashMap<>();

        Events(LitmusProgram p, int path) {
            for (Location l : p.locations()) {
                locations.add(l.name());
                add(-1, 'W', l.name(), Strength.PLAIN, -1, l.initial());
            }
            int cas = 0;
            for (ThreadCode t : p.threads()) {
                int th = t.index();
                for (Statement s : t.statements()) {
                    switch (s) {
                        case Statement.Store st -> add(th, 'W', st.location(), st.order(), -1, st.value());
                        case Statement.Load ld -> assign(th, ld.register(), add(th, 'R', ld.location(), ld.order(), -1, 0));
                        case Statement.Exchange x -> {
                            int r = add(th, 'R', x.location(), x.order(), -1, 0);
                            rmw.add(new int[] {r, add(th, 'W', x.location(), x.order(), -1, x.value())});
                            assign(th, x.register(), r);
                        }
                        case Statement.FetchAdd f -> {
                            int r = add(th, 'R', f.location(), f.order(), -1, 0);
                            rmw.add(new int[] {r, add(th, 'W', f.location(), f.order(), r, f.delta())});
                            assign(th, f.register(), r);
                        }
                        case Statement.CompareExchange c -> {
                            boolean succeeds = (path >>> cas++ & 1) != 0;
                            int readE = add(th, 'R', c.expected(), Strength.PLAIN, -1, 0);
                            int readX;
                            if (succeeds) {
                                readX = add(th, 'R', c.location(), c.success(), -1, 0);
                                rmw.add(new int[] {readX, add(th, 'W', c.location(), c.success(), -1, c.desired())});
                            } else {
                                readX = add(th, 'R', c.location(), c.failure(), -1, 0);
                                add(th, 'W', c.expected(), Strength.PLAIN, readX, 0);
                            }
                            casChecks.add(new int[] {readX, readE, succeeds ? 1 : 0});
                            if (c.register() != null) registers.put(th + ":" + c.register(), new long[] {-1, succeeds ? 1 : 0});
                        }
                        case Statement.Fence f -> add(th, 'F', null, f.order(), -1, 0);
                    }
                }
            }
        }

        private int add(int thread, char kind, String location, Strength order, int valueFrom, long constant) {
            events.add(new Event(thread, kind, location, order, valueFrom, constant));
            if (kind == 'R') reads.add(events.size() - 1);
            return events.size() - 1;
        }

        private void assign(int thread, String register, int read) {
            if (register != null) registers.put(thread + ":" + register, new long[] {read, -1});
        }

        int size() {
            return events.size();
        }

        char kind(int e) {
            return events.get(e).kind;
        }

        String loc(int e) {
            return events.get(e).location;
        }

        /** Every write to {@code location}, its initial write first. */
        List<Integer> writesTo(String location) {
            List<Integer> out = new ArrayList<>();
            for (int e = 0; e < size(); e++) if (kind(e) == 'W' && location.equals(loc(e))) out.add(e);
            return out;
        }
    }

    /**
     * The relations of one candidate, as rows of bits ({@code r[a]} has bit b when a is
     * related to b), evaluated as the cat file writes them. Those that depend on rf only are
     * built once per rf; mo is supplied to {@link #consistent}.
     */
    private static final class Candidate {
        final int n;
        final long all;
        final long iw, w, r, f, atomic, rel, acq, sc;
        final long[] id, sb, loc, ext, rf, rmw, hb;
        long[] mo, rb, eco;

        Candidate(Events g, int[] rfOf) {
            n = g.size();
            all = n == 64 ? -1L : (1L << n) - 1;
            long iwSet = 0, wSet = 0, rSet = 0, fSet = 0, aSet = 0, relSet = 0, acqSet = 0, scSet = 0;
            for (int e = 0; e < n; e++) {
                Event ev = g.events.get(e);
                long bit = 1L << e;
                if (ev.thread < 0) iwSet |= bit;
                if (ev.kind == 'W') wSet |= bit;
                if (ev.kind == 'R') rSet |= bit;
                if (ev.kind == 'F') fSet |= bit;
                if (ev.kind != 'F' && ev.order.atomic()) aSet |= bit;
                if (ev.order == Strength.RELEASE || ev.order == Strength.ACQ_REL || ev.order == Strength.SEQ_CST) relSet |= bit;
                if (ev.order == Strength.ACQUIRE || ev.order == Strength.ACQ_REL || ev.order == Strength.SEQ_CST) acqSet |= bit;
                if (ev.order == Strength.SEQ_CST) scSet |= bit;
            }
            iw = iwSet; w = wSet; r = rSet; f = fSet; atomic = aSet; rel = relSet; acq = acqSet; sc = scSet;
            id = ident(all);
            sb = new long[n];
            loc = new long[n];
            ext = new long[n];
            rf = new long[n];
            rmw = new long[n];
            for (int a = 0; a < n; a++) {
                Event ea = g.events.get(a);
                for (int b = 0; b < n; b++) {
                    Event eb = g.events.get(b);
                    if (ea.thread >= 0 && ea.thread == eb.thread && a < b) sb[a] |= 1L << b;
                    if (ea.thread != eb.thread) ext[a] |= 1L << b;
                    if (ea.location != null && ea.location.equals(eb.location)) loc[a] |= 1L << b;
                }
            }
            for (int e : g.reads) rf[rfOf[e]] |= 1L << e;
            for (int[] pair : g.rmw) rmw[pair[0]] |= 1L << pair[1];
            long[] rs = seq(ident(w), opt(and(sb, loc)), ident(w & atomic), star(seq(rf, rmw)));
            long[] sw = seq(ident(rel), opt(seq(ident(f), sb)), rs, rf, ident(r & atomic), opt(seq(sb, ident(f))), ident(acq));
            hb = plus(union(sb, sw));
        }

        /** All four axioms of rc11.cat but no-thin-air, for this rf and {@code order}, one int[] per location. */
        boolean consistent(List<int[]> order) {
            mo = new long[n];
            for (int[] o : order) {
                for (int i = 0; i < o.length; i++) for (int j = i + 1; j < o.length; j++) mo[o[i]] |= 1L << o[j];
            }
            rb = minus(seq(inverse(rf), mo), id);
            eco = plus(union(rf, mo, rb));
            boolean coherence1 = irreflexive(seq(hb, opt(eco)));
            boolean coherenceRmw = irreflexive(seq(rmw, eco));
            boolean atomicity = empty(and(rmw, seq(rb, mo)));
            long[] sbl = minus(sb, loc);
            long[] scb = union(sb, seq(sbl, hb, sbl), and(hb, loc), mo, rb);
            long[] pscb = seq(union(ident(sc), seq(ident(f & sc), opt(hb))), scb, union(ident(sc), seq(opt(hb), ident(f & sc))));
            long[] pscf = seq(ident(f & sc), union(hb, seq(hb, eco, hb)), ident(f & sc));
            boolean scAxiom = irreflexive(plus(union(pscb, pscf)));
            return coherence1 && coherenceRmw && atomicity && scAxiom;
        }

        /** Whether {@code dr} is non-empty in the candidate {@link #consistent} last judged. */
        boolean dataRace() {
            long[] cnf = minus(and(union(cross(w, all), cross(all, w)), loc), union(cross(iw, all), cross(all, iw)));
            return !empty(minus(and(cnf, ext), union(hb, inverse(hb), cross(atomic, atomic))));
        }

        long[] ident(long set) {
            long[] out = new long[n];
            for (int a = 0; a < n; a++) if ((set >>> a & 1) != 0) out[a] = 1L << a;
            return out;
        }

        long[] cross(long from, long to) {
            long[] out = new long[n];
            for (int a = 0; a < n; a++) if ((from >>> a & 1) != 0) out[a] = to;
            return out;
        }

        long[] seq(long[]... rs) {
            long[] out = rs[0];
            for (int k = 1; k < rs.length; k++) {
                long[] next = new long[n];
                for (int a = 0; a < n; a++) {
                    for (int b = 0; b < n; b++) if ((out[a] >>> b & 1) != 0) next[a] |= rs[k][b];
                }
                out = next;
            }
            return out;
        }

        long[] union(long[]... rs) {
            long[] out = new long[n];
            for (long[] x : rs) for (int a = 0; a < n; a++) out[a] |= x[a];
            return out;
        }

        long[] and(long[] x, long[] y) {
            long[] out = new long[n];
            for (int a = 0; a < n; a++) out[a] = x[a] & y[a];
            return out;
        }

        long[] minus(long[] x, long[] y) {
            long[] out = new long[n];
            for (int a = 0; a < n; a++) out[a] = x[a] & ~y[a];
            return out;
        }

        long[] inverse(long[] x) {
            long[] out = new long[n];
            for (int a = 0; a < n; a++) for (int b = 0; b < n; b++) if ((x[a] >>> b & 1) != 0) out[b] |= 1L << a;
            return out;
        }

        long[] opt(long[] x) {
            return union(x, id);
        }

        /** x+: Warshall's algorithm. */
        long[] plus(long[] x) {
            long[] out = x.clone();
            for (int k = 0; k < n; k++) {
                for (int a = 0; a < n; a++) if ((out[a] >>> k & 1) != 0) out[a] |= out[k];
            }
            return out;
        }

        long[] star(long[] x) {
            return opt(plus(x));
        }

        boolean irreflexive(long[] x) {
            for (int a = 0; a < n; a++) if ((x[a] >>> a & 1) != 0) return false;
            return true;
        }

        boolean empty(long[] x) {
            for (long row : x) if (row != 0) return false;
            return true;
        }
    }
}
