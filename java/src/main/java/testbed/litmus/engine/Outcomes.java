package testbed.litmus.engine;

import testbed.litmus.LitmusCase;
import testbed.litmus.model.Judgement;
import testbed.litmus.runtime.Descriptor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reading a round histogram: its outcomes, the overlap witnesses among them, and herd's observation line. */
final class Outcomes {
    private Outcomes() {}

    /**
     * How many samples show the actors' accesses interleaved: outcomes that no serial
     * execution (one actor's whole program after another's) gives, such as store
     * buffering's (1, 1) or message passing's (flag 0, data 1).
     */
    static long overlapWitnesses(Set<List<Long>> serial, Map<List<Long>, Long> observed) {
        long n = 0;
        for (Map.Entry<List<Long>, Long> e : observed.entrySet()) if (!serial.contains(e.getKey())) n += e.getValue();
        return n;
    }

    /**
     * herd's observation line over the histogram: how many samples satisfy the condition's
     * proposition (positive) and how many do not (negative).
     */
    static String observation(LitmusCase t, Map<List<Long>, Long> observed) {
        Judgement j = t.source().judgement();
        long positive = 0, negative = 0;
        for (Map.Entry<List<Long>, Long> e : observed.entrySet()) {
            if (j.satisfies(e.getKey())) positive += e.getValue();
            else negative += e.getValue();
        }
        String word = positive == 0 ? "Never" : negative == 0 ? "Always" : "Sometimes";
        return "Observation " + j.test() + " " + word + " " + positive + " " + negative;
    }

    /**
     * The outcomes the histogram of descriptor {@code d} counted, each with its count (outcomes
     * never seen are left out), decoded in the descriptor's radix. A value on the top digit
     * stands for that value or any outside 0..radix-1.
     */
    static Map<List<Long>, Long> observed(long[] hist, Descriptor d) {
        Map<List<Long>, Long> observed = new LinkedHashMap<>();
        for (int key = 0; key < hist.length; key++) {
            if (hist[key] != 0) observed.put(decode(key, d.gather(), d.radix()), hist[key]);
        }
        return observed;
    }

    /** The n values of histogram index {@code key} in {@code radix}, most significant first (docs/LITMUS.md). */
    static List<Long> decode(int key, int n, int radix) {
        Long[] v = new Long[n];
        for (int j = n - 1; j >= 0; j--) {
            v[j] = (long) (key % radix);
            key /= radix;
        }
        return List.of(v);
    }
}
