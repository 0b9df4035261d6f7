package testbed.litmus.model;

/**
 * Binary relations over at most 64 events, one {@code long} row of successors per
 * event: {@code r[a]} has bit b set when a is related to b. Small and allocation-light,
 * because the model evaluates them for every candidate execution.
 */
final class Relations {
    static final int MAX_EVENTS = 64;

    private Relations() {}

    static boolean has(long[] r, int a, int b) {
        return (r[a] >>> b & 1L) != 0;
    }

    /** The transitive closure of {@code r}, in place (Warshall's algorithm over rows). */
    static void close(long[] r, int n) {
        for (int k = 0; k < n; k++) {
            long bit = 1L << k;
            long rowK = r[k];
            for (int i = 0; i < n; i++) if ((r[i] & bit) != 0) r[i] |= rowK;
        }
    }

    /** Whether the (already closed) relation relates some event to itself. */
    static boolean reflexive(long[] closed, int n) {
        for (int i = 0; i < n; i++) if ((closed[i] >>> i & 1L) != 0) return true;
        return false;
    }

    /** The events {@code a; r} reaches: the union of the rows of every event in {@code set}. */
    static long image(long[] r, long set) {
        long out = 0;
        while (set != 0) {
            int b = Long.numberOfTrailingZeros(set);
            set &= set - 1;
            out |= r[b];
        }
        return out;
    }

    /** The inverse relation. */
    static long[] inverse(long[] r, int n) {
        long[] inv = new long[n];
        for (int a = 0; a < n; a++) {
            long row = r[a];
            while (row != 0) {
                int b = Long.numberOfTrailingZeros(row);
                row &= row - 1;
                inv[b] |= 1L << a;
            }
        }
        return inv;
    }
}
