package testbed.litmus.model;

import testbed.litmus.lang.Condition;
import testbed.litmus.lang.LitmusProgram;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The candidate executions of one event graph and the axioms that judge them
 * ({@link Rc11Model}): rf is chosen first, read by read; then the values follow, the
 * compare-exchange paths are checked, and happens-before is built; then mo, location by
 * location; at each complete candidate, coherence and the SC order. Outcomes already known
 * to be allowed are not judged again once no race is left to find.
 */
final class ExecutionSearch {
    final EventGraph g;
    final int n;
    final List<Condition.Observable> shape;
    final int[] shapeSlot;
    final int[] shapeLoc;
    final Set<List<Long>> allowed;
    final int[] reads;
    final int[][] sources;
    final int[][] writesOf;
    final int[] rf;
    final int[] updateReader;
    final long[] readVal;
    final long[] writeVal;
    final byte[] valueState;
    final int[] moPos;
    final int[][] mo;
    final boolean potentialRace;
    final long writesMask;
    /** The plain accesses that only happens-before governs (PlainSemantics.HAPPENS_BEFORE). */
    final long plainHbMask;
    long[] hb;
    long[] hbInv;
    boolean raceFound;
    long candidates;

    ExecutionSearch(EventGraph g, LitmusProgram p, EventGraph.RegisterSlots slots, List<Condition.Observable> shape,
           Set<List<Long>> allowed, boolean raceKnown) {
        this.g = g;
        this.n = g.n;
        this.shape = shape;
        this.allowed = allowed;
        this.raceFound = raceKnown;
        shapeSlot = new int[shape.size()];
        shapeLoc = new int[shape.size()];
        for (int i = 0; i < shape.size(); i++) {
            Condition.Observable o = shape.get(i);
            shapeSlot[i] = o instanceof Condition.Observable.Register r ? slots.slot(r) : -1;
            shapeLoc[i] = o instanceof Condition.Observable.Memory m ? p.locationIndex(m.location()) : -1;
        }
        int locs = p.locations().size();
        List<List<Integer>> byLoc = new ArrayList<>();
        for (int l = 0; l < locs; l++) byLoc.add(new ArrayList<>());
        List<Integer> readList = new ArrayList<>();
        long w = 0;
        for (int e = 0; e < n; e++) {
            if (g.writes(e)) {
                byLoc.get(g.loc[e]).add(e);
                w |= 1L << e;
            }
            if (g.reads(e)) readList.add(e);
        }
        writesMask = w;
        long plain = 0;
        for (int e = 0; e < n; e++) if (g.hbOnly[e]) plain |= 1L << e;
        plainHbMask = plain;
        writesOf = new int[locs][];
        for (int l = 0; l < locs; l++) writesOf[l] = byLoc.get(l).stream().mapToInt(Integer::intValue).toArray();
        reads = readList.stream().mapToInt(Integer::intValue).toArray();
        sources = new int[reads.length][];
        for (int i = 0; i < reads.length; i++) sources[i] = sources(reads[i]);
        rf = new int[n];
        java.util.Arrays.fill(rf, -1);
        updateReader = new int[n];
        java.util.Arrays.fill(updateReader, -1);
        readVal = new long[n];
        writeVal = new long[n];
        valueState = new byte[n];
        moPos = new int[n];
        mo = new int[locs][];
        for (int l = 0; l < locs; l++) mo[l] = new int[writesOf[l].length];
        potentialRace = potentialRace();
    }

    /** An upper bound on the candidates of this graph: rf choices times mo orders. */
    static long estimate(EventGraph g) {
        int locs = 0;
        for (int e = 0; e < g.n; e++) locs = Math.max(locs, g.loc[e] + 1);
        int[] writes = new int[locs];
        for (int e = 0; e < g.n; e++) if (g.writes(e)) writes[g.loc[e]]++;
        long total = 1;
        for (int e = 0; e < g.n; e++) if (g.reads(e)) total = Rc11Model.saturatingMultiply(total, writes[g.loc[e]]);
        for (int w : writes) for (int k = 2; k < w; k++) total = Rc11Model.saturatingMultiply(total, k);
        return total;
    }

    /**
     * The writes read {@code r} may read from, before the axioms: not itself, not a write
     * program-order after it, and not one hidden by a write to the same location that is
     * program-order between the two (both would make hb ; eco reflexive, and happens-before
     * consistency refuses them too).
     */
    private int[] sources(int r) {
        List<Integer> out = new ArrayList<>();
        for (int w : writesOf[g.loc[r]]) {
            if (w == r || Relations.has(g.sb, r, w)) continue;
            boolean hidden = false;
            for (int w2 : writesOf[g.loc[r]]) {
                if (w2 != w && w2 != r && Relations.has(g.sb, w, w2) && Relations.has(g.sb, w2, r)) hidden = true;
            }
            if (!hidden) out.add(w);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private boolean potentialRace() {
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) if (conflict(a, b)) return true;
        }
        return false;
    }

    /** Two accesses that race unless happens-before orders them (the initial writes never do). */
    private boolean conflict(int a, int b) {
        return !g.init(a) && !g.init(b) && g.thread[a] != g.thread[b] && g.loc[a] >= 0 && g.loc[a] == g.loc[b]
                && (g.writes(a) || g.writes(b)) && (!g.atomic(a) || !g.atomic(b));
    }

    void run() {
        chooseRf(0);
    }

    private void chooseRf(int i) {
        if (i == reads.length) {
            afterRf();
            return;
        }
        int r = reads[i];
        for (int w : sources[i]) {
            if (g.update(r)) {
                // Atomicity: two updates cannot both follow the same write immediately in mo.
                if (updateReader[w] >= 0) continue;
                updateReader[w] = r;
                rf[r] = w;
                chooseRf(i + 1);
                updateReader[w] = -1;
            } else {
                rf[r] = w;
                chooseRf(i + 1);
            }
        }
        rf[r] = -1;
    }

    private void afterRf() {
        if (!computeValues()) return;
        for (int c = 0; c < g.casX.length; c++) {
            boolean equal = readVal[g.casX[c]] == readVal[g.casE[c]];
            if (equal != g.casSucceeds[c]) return;
        }
        hb = happensBefore();
        if (Relations.reflexive(hb, n)) return;
        for (int r : reads) if (Relations.has(hb, r, rf[r])) return;
        hbInv = Relations.inverse(hb, n);
        for (int r : reads) {
            // Happens-before consistency: no write to the location between the source and the
            // read. Coherence implies it where it applies; for plain Java and Go accesses,
            // which coherence leaves out, it is the whole rule.
            long between = hb[rf[r]] & hbInv[r] & writesMask & g.sameLoc[r];
            if (between != 0) return;
        }
        chooseMo(0, 0, 0);
    }

    /** Values of every read and write under this rf; false when they depend on each other in a cycle. */
    private boolean computeValues() {
        java.util.Arrays.fill(valueState, (byte) 0);
        for (int e = 0; e < n; e++) {
            if (g.writes(e) && !writeValue(e)) return false;
        }
        for (int r : reads) readVal[r] = writeVal[rf[r]];
        return true;
    }

    private boolean writeValue(int w) {
        if (valueState[w] == 2) return true;
        if (valueState[w] == 1) return false;
        valueState[w] = 1;
        long v;
        switch (g.valueKind[w]) {
            case EventGraph.ADD -> {
                int src = g.valueSrc[w];
                if (!writeValue(rf[src])) return false;
                v = writeVal[rf[src]] + g.valueArg[w];
            }
            default -> v = g.valueArg[w];
        }
        writeVal[w] = v;
        valueState[w] = 2;
        return true;
    }

    /**
     * hb = (sb ∪ sw)+, where sw = [E⊒rel] ; ([F] ; sb)? ; rs ; rf ; [R⊒rlx] ; (sb ; [F])? ; [E⊒acq]
     * and rs = [W] ; (sb|loc)? ; [W⊒rlx] ; (rf ; rmw)*, as in the paper's section 3.
     */
    private long[] happensBefore() {
        long[] rel = g.sb.clone();
        for (int h = g.initCount; h < n; h++) {
            boolean head = (g.writes(h) || g.fence(h)) && g.order[h].releases();
            if (!head) continue;
            long starts = g.fence(h) ? g.sb[h] & writesMask : 1L << h;
            long rs = 0;
            for (long s = starts; s != 0; s &= s - 1) {
                int w = Long.numberOfTrailingZeros(s);
                long atomicLater = (g.sb[w] & g.sameLoc[w] | 1L << w) & writesMask;
                for (long c = atomicLater; c != 0; c &= c - 1) {
                    int w2 = Long.numberOfTrailingZeros(c);
                    if (g.atomic(w2) && !g.init(w2)) rs |= 1L << w2;
                }
            }
            boolean grew = true;
            while (grew) {
                grew = false;
                for (int u = 0; u < n; u++) {
                    if (g.update(u) && (rs >>> u & 1) == 0 && rf[u] >= 0 && (rs >>> rf[u] & 1) != 0) {
                        rs |= 1L << u;
                        grew = true;
                    }
                }
            }
            for (int r : reads) {
                if (!g.atomic(r) || (rs >>> rf[r] & 1) == 0) continue;
                if (g.order[r].acquires()) rel[h] |= 1L << r;
                for (long f = g.sb[r]; f != 0; f &= f - 1) {
                    int fe = Long.numberOfTrailingZeros(f);
                    if (g.fence(fe) && g.order[fe].acquires()) rel[h] |= 1L << fe;
                }
            }
        }
        Relations.close(rel, n);
        return rel;
    }

    /** Orders the writes of location {@code l}, position {@code pos}, then the next location. */
    private void chooseMo(int l, int pos, long placed) {
        if (l == writesOf.length) {
            atLeaf();
            return;
        }
        int[] ws = writesOf[l];
        if (pos == ws.length) {
            chooseMo(l + 1, 0, 0);
            return;
        }
        if (pos == 0) {
            // The initial write comes first in mo.
            place(l, 0, ws[0]);
            chooseMo(l, 1, 1L << ws[0]);
            return;
        }
        int prev = mo[l][pos - 1];
        int forced = updateReader[prev];
        for (int w : ws) {
            if ((placed >>> w & 1) != 0) continue;
            if (forced >= 0 && w != forced) continue;
            if (g.update(w) && rf[w] != prev) continue;
            // Coherence (write-write): a write that happens before another precedes it in mo.
            if ((hbInv[w] & writesMask & g.sameLoc[w] & ~placed) != 0) continue;
            place(l, pos, w);
            chooseMo(l, pos + 1, placed | 1L << w);
        }
    }

    private void place(int l, int pos, int w) {
        mo[l][pos] = w;
        moPos[w] = pos;
    }

    /**
     * Whether coherence governs what read {@code r} returns: not when it or the write it
     * reads is a plain Java or Go access, which only happens-before consistency governs.
     */
    private boolean coherent(int r) {
        return !g.hbOnly[r] && !g.hbOnly[rf[r]];
    }

    private void atLeaf() {
        candidates++;
        List<Long> outcome = outcome();
        boolean known = allowed.contains(outcome);
        if (known && (raceFound || !potentialRace)) return;
        if (!consistent()) return;
        allowed.add(outcome);
        if (potentialRace && !raceFound) raceFound = racy();
    }

    private List<Long> outcome() {
        Long[] v = new Long[shapeSlot.length];
        for (int i = 0; i < v.length; i++) {
            if (shapeSlot[i] >= 0) {
                int e = g.registerEvent[shapeSlot[i]];
                v[i] = e >= 0 ? readVal[e] : g.registerConst[shapeSlot[i]];
            } else {
                int[] order = mo[shapeLoc[i]];
                v[i] = writeVal[order[order.length - 1]];
            }
        }
        return List.of(v);
    }

    private boolean consistent() {
        long[] rfRel = new long[n];
        long[] moRel = new long[n];
        long[] frRel = new long[n];
        for (int[] order : mo) {
            for (int i = 0; i < order.length; i++) {
                for (int j = i + 1; j < order.length; j++) moRel[order[i]] |= 1L << order[j];
            }
        }
        for (int r : reads) {
            if (!coherent(r)) continue; // judged by happens-before consistency (afterRf)
            rfRel[rf[r]] |= 1L << r;
            frRel[r] = moRel[rf[r]] & ~(1L << r) & ~plainHbMask;
        }
        long[] eco = new long[n];
        for (int e = 0; e < n; e++) eco[e] = rfRel[e] | moRel[e] | frRel[e];
        Relations.close(eco, n);
        // Coherence: irreflexive(hb ; eco?); hb is irreflexive already.
        for (int a = 0; a < n; a++) {
            for (long b = hb[a]; b != 0; b &= b - 1) {
                if ((eco[Long.numberOfTrailingZeros(b)] >>> a & 1) != 0) return false;
            }
        }
        // Atomicity holds by construction (chooseMo places each update right after its source).
        return scOrderAcyclic(rfRel, moRel, frRel, eco);
    }

    /** RC11's SC axiom: psc = psc_base ∪ psc_F is acyclic over the SC events. */
    private boolean scOrderAcyclic(long[] rfRel, long[] moRel, long[] frRel, long[] eco) {
        long scEvents = 0;
        for (int e = g.initCount; e < n; e++) if (g.sc(e)) scEvents |= 1L << e;
        if (scEvents == 0) return true;
        long[] ecoSc = eco;
        long[] moSc = moRel;
        long[] frSc = frRel;
        if (plainHbMask != 0) {
            // Fences and SC accesses order no plain Java or Go access (PlainSemantics.HAPPENS_BEFORE):
            // the SC order sees none of their mo, rf or fr edges.
            ecoSc = new long[n];
            moSc = new long[n];
            frSc = new long[n];
            for (int e = 0; e < n; e++) {
                if ((plainHbMask >>> e & 1) != 0) continue;
                moSc[e] = moRel[e] & ~plainHbMask;
                frSc[e] = frRel[e] & ~plainHbMask;
                ecoSc[e] = (rfRel[e] & ~plainHbMask) | moSc[e] | frSc[e];
            }
            Relations.close(ecoSc, n);
        }
        long[] scb = new long[n];
        for (int a = 0; a < n; a++) {
            long sbl = g.sb[a] & ~g.sameLoc[a];
            long viaHb = Relations.image(hb, sbl);
            long sblHbSbl = 0;
            for (long y = viaHb; y != 0; y &= y - 1) {
                int ye = Long.numberOfTrailingZeros(y);
                sblHbSbl |= g.sb[ye] & ~g.sameLoc[ye];
            }
            scb[a] = g.sb[a] | sblHbSbl | (hb[a] & g.sameLoc[a]) | moSc[a] | frSc[a];
        }
        long[] psc = new long[n];
        for (long as = scEvents; as != 0; as &= as - 1) {
            int a = Long.numberOfTrailingZeros(as);
            long left = g.fence(a) ? (1L << a) | hb[a] : 1L << a;
            long reach = Relations.image(scb, left);
            long fenceReach = g.fence(a) ? hb[a] | Relations.image(hb, Relations.image(ecoSc, hb[a])) : 0;
            for (long bs = scEvents; bs != 0; bs &= bs - 1) {
                int b = Long.numberOfTrailingZeros(bs);
                long right = g.fence(b) ? (1L << b) | hbInv[b] : 1L << b;
                if ((reach & right) != 0) psc[a] |= 1L << b;
                if (g.fence(a) && g.fence(b) && (fenceReach >>> b & 1) != 0) psc[a] |= 1L << b;
            }
        }
        Relations.close(psc, n);
        return !Relations.reflexive(psc, n);
    }

    private boolean racy() {
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                if (conflict(a, b) && !Relations.has(hb, a, b) && !Relations.has(hb, b, a)) return true;
            }
        }
        return false;
    }
}
