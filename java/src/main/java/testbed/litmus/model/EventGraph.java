package testbed.litmus.model;

import testbed.litmus.lang.Strength;
import testbed.litmus.lang.Condition;
import testbed.litmus.lang.LitmusProgram;
import testbed.litmus.lang.Location;
import testbed.litmus.lang.Statement;
import testbed.litmus.lang.ThreadCode;

import java.util.ArrayList;
import java.util.List;

/**
 * The events of a program for one choice of path through each of its compare-exchanges
 * (success or failure), with program order, each event's location and order, and how
 * each written value and each register is computed from the values read. Event 0..k-1
 * are the initial writes, one per location, program-ordered before every thread event
 * (thread creation synchronises with what the parent wrote before it).
 *
 * <p>A read-modify-write is one event that both reads and writes (an <em>update</em>), as
 * herd7 represents a C RMW; its order applies to both halves.
 */
final class EventGraph {
    static final int READ = 1;
    static final int WRITE = 2;
    static final int FENCE = 4;

    /** How a write's value is made. */
    static final int CONST = 0;
    /**
     * What event {@code valueSrc} read plus {@code valueArg}: an update's own read, a plain
     * RMW's read, or (plus 0) a failed compare-exchange's read of x, copied into e.
     */
    static final int ADD = 1;

    final int n;
    final int initCount;
    final int[] thread;
    final int[] loc;
    final int[] kind;
    final Strength[] order;
    /** Plain accesses that {@link PlainSemantics#HAPPENS_BEFORE} governs. */
    final boolean[] hbOnly;
    final int[] valueKind;
    final long[] valueArg;
    final int[] valueSrc;
    /** Program order, transitive; initial writes precede every thread event. */
    final long[] sb;
    /** Same location (accesses only). */
    final long[] sameLoc;
    /** Per register slot: the event whose read value it holds, or -1 for {@link #registerConst}. */
    final int[] registerEvent;
    final long[] registerConst;
    /** Compare-exchange checks: the read of x, the read of e, and whether they must be equal (success). */
    final int[] casX;
    final int[] casE;
    final boolean[] casSucceeds;

    private EventGraph(Builder b) {
        n = b.thread.size();
        initCount = b.initCount;
        thread = b.thread.stream().mapToInt(Integer::intValue).toArray();
        loc = b.loc.stream().mapToInt(Integer::intValue).toArray();
        kind = b.kind.stream().mapToInt(Integer::intValue).toArray();
        order = b.order.toArray(new Strength[0]);
        hbOnly = new boolean[n];
        for (int i = 0; i < n; i++) hbOnly[i] = b.hbOnly.get(i);
        valueKind = b.valueKind.stream().mapToInt(Integer::intValue).toArray();
        valueArg = b.valueArg.stream().mapToLong(Long::longValue).toArray();
        valueSrc = b.valueSrc.stream().mapToInt(Integer::intValue).toArray();
        registerEvent = b.registerEvent;
        registerConst = b.registerConst;
        casX = b.casX.stream().mapToInt(Integer::intValue).toArray();
        casE = b.casE.stream().mapToInt(Integer::intValue).toArray();
        casSucceeds = new boolean[casX.length];
        for (int i = 0; i < casX.length; i++) casSucceeds[i] = b.casSucceeds.get(i);
        sb = new long[n];
        sameLoc = new long[n];
        for (int a = 0; a < n; a++) {
            for (int c = 0; c < n; c++) {
                if (a == c) continue;
                boolean init = thread[a] < 0 && thread[c] >= 0;
                if (init || (thread[a] >= 0 && thread[a] == thread[c] && a < c)) sb[a] |= 1L << c;
                if (loc[a] >= 0 && loc[a] == loc[c]) sameLoc[a] |= 1L << c;
            }
        }
    }

    boolean reads(int e) {
        return (kind[e] & READ) != 0;
    }

    boolean writes(int e) {
        return (kind[e] & WRITE) != 0;
    }

    boolean fence(int e) {
        return (kind[e] & FENCE) != 0;
    }

    boolean update(int e) {
        return (kind[e] & (READ | WRITE)) == (READ | WRITE);
    }

    boolean init(int e) {
        return thread[e] < 0;
    }

    boolean atomic(int e) {
        return order[e] != Strength.PLAIN;
    }

    /** An event of the program (not an initial write) that is an SC access or SC fence. */
    boolean sc(int e) {
        return order[e] == Strength.SEQ_CST;
    }

    /**
     * The events of {@code p} for one path choice: bit j of {@code paths[t]} set means
     * thread t's j-th compare-exchange succeeds.
     */
    static EventGraph of(LitmusProgram p, List<PlainSemantics> semantics, int[] paths, RegisterSlots slots) {
        Builder b = new Builder(slots.count());
        List<Location> locs = p.locations();
        for (int l = 0; l < locs.size(); l++) {
            b.add(-1, l, WRITE, Strength.PLAIN, false, CONST, locs.get(l).initial(), -1);
        }
        b.initCount = locs.size();
        for (ThreadCode t : p.threads()) {
            boolean hb = semantics.get(t.index()) == PlainSemantics.HAPPENS_BEFORE;
            int cas = 0;
            for (Statement s : t.statements()) {
                switch (s) {
                    case Statement.Store st -> b.add(t.index(), p.locationIndex(st.location()), WRITE, st.order(),
                            hb && st.order() == Strength.PLAIN, CONST, st.value(), -1);
                    case Statement.Load ld -> {
                        int e = b.add(t.index(), p.locationIndex(ld.location()), READ, ld.order(),
                                hb && ld.order() == Strength.PLAIN, CONST, 0, -1);
                        b.register(slots.slot(t.index(), ld.register()), e, 0);
                    }
                    case Statement.Exchange x -> {
                        int e = b.update(t.index(), p.locationIndex(x.location()), x.order(), hb, CONST, x.value());
                        if (x.register() != null) b.register(slots.slot(t.index(), x.register()), e, 0);
                    }
                    case Statement.FetchAdd f -> {
                        int e = b.update(t.index(), p.locationIndex(f.location()), f.order(), hb, ADD, f.delta());
                        if (f.register() != null) b.register(slots.slot(t.index(), f.register()), e, 0);
                    }
                    case Statement.CompareExchange c -> {
                        boolean success = (paths[t.index()] >>> cas++ & 1) != 0;
                        int el = p.locationIndex(c.expected());
                        int readE = b.add(t.index(), el, READ, Strength.PLAIN, hb, CONST, 0, -1);
                        int x;
                        if (success) {
                            x = b.update(t.index(), p.locationIndex(c.location()), c.success(), hb, CONST, c.desired());
                        } else {
                            x = b.add(t.index(), p.locationIndex(c.location()), READ, c.failure(), hb && c.failure() == Strength.PLAIN, CONST, 0, -1);
                            b.add(t.index(), el, WRITE, Strength.PLAIN, hb, ADD, 0, x);
                        }
                        b.cas(x, readE, success);
                        if (c.register() != null) b.register(slots.slot(t.index(), c.register()), -1, success ? 1 : 0);
                    }
                    case Statement.Fence f -> {
                        // A relaxed fence orders nothing (C11 7.17.4): it is no event.
                        if (f.order() != Strength.RELAXED) b.add(t.index(), -1, FENCE, f.order(), false, CONST, 0, -1);
                    }
                }
            }
        }
        return new EventGraph(b);
    }

    /** How many compare-exchanges each thread has: its paths are 0 .. 2^count - 1. */
    static int[] casCounts(LitmusProgram p) {
        int[] counts = new int[p.threads().size()];
        for (ThreadCode t : p.threads()) {
            for (Statement s : t.statements()) if (s instanceof Statement.CompareExchange) counts[t.index()]++;
        }
        return counts;
    }

    /** One slot per register of every thread, in thread order, then each thread's registers in order. */
    static final class RegisterSlots {
        private final List<String> keys = new ArrayList<>();

        RegisterSlots(LitmusProgram p) {
            for (ThreadCode t : p.threads()) for (String r : t.registers()) keys.add(t.index() + ":" + r);
        }

        int count() {
            return keys.size();
        }

        int slot(int thread, String register) {
            int i = keys.indexOf(thread + ":" + register);
            if (i < 0) throw new IllegalStateException("unknown register " + thread + ":" + register);
            return i;
        }

        int slot(Condition.Observable.Register r) {
            return slot(r.thread(), r.name());
        }
    }

    private static final class Builder {
        final List<Integer> thread = new ArrayList<>();
        final List<Integer> loc = new ArrayList<>();
        final List<Integer> kind = new ArrayList<>();
        final List<Strength> order = new ArrayList<>();
        final List<Boolean> hbOnly = new ArrayList<>();
        final List<Integer> valueKind = new ArrayList<>();
        final List<Long> valueArg = new ArrayList<>();
        final List<Integer> valueSrc = new ArrayList<>();
        final List<Integer> casX = new ArrayList<>();
        final List<Integer> casE = new ArrayList<>();
        final List<Boolean> casSucceeds = new ArrayList<>();
        final int[] registerEvent;
        final long[] registerConst;
        int initCount;

        Builder(int registers) {
            registerEvent = new int[registers];
            java.util.Arrays.fill(registerEvent, -1);
            registerConst = new long[registers];
        }

        /**
         * A read-modify-write of order {@code o}, returning the event whose read value is its
         * result. An atomic one is one update event; a plain one (a JavaScript view's
         * {@code Atomics.add} over a host buffer, docs/MEMORY_MODEL.md) is a plain read and
         * then a plain write, with no atomicity between them: another write may come between.
         */
        int update(int t, int l, Strength o, boolean hb, int vk, long arg) {
            if (o != Strength.PLAIN) {
                int e = add(t, l, READ | WRITE, o, false, vk, arg, -1);
                valueSrc.set(e, e);
                return e;
            }
            int read = add(t, l, READ, o, hb, CONST, 0, -1);
            add(t, l, WRITE, o, hb, vk, arg, read);
            return read;
        }

        int add(int t, int l, int k, Strength o, boolean hb, int vk, long arg, int src) {
            thread.add(t);
            loc.add(l);
            kind.add(k);
            order.add(o);
            hbOnly.add(hb);
            valueKind.add(vk);
            valueArg.add(arg);
            valueSrc.add(src);
            return thread.size() - 1;
        }

        void register(int slot, int event, long constant) {
            registerEvent[slot] = event;
            registerConst[slot] = constant;
        }

        void cas(int x, int e, boolean success) {
            casX.add(x);
            casE.add(e);
            casSucceeds.add(success);
        }
    }
}
