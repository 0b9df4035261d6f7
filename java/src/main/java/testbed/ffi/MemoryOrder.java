package testbed.ffi;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * The C11 memory orders of the shim, each with the suffix of its C function names
 * ({@code interop_load_acquire}, {@code interop_cas_acq_rel}, ...). memory_order_consume is left out:
 * every compiler in use treats it as acquire.
 */
public enum MemoryOrder {
    RELAXED("relaxed"),
    ACQUIRE("acquire"),
    RELEASE("release"),
    ACQ_REL("acq_rel"),
    SEQ_CST("seq_cst");

    private final String suffix;

    MemoryOrder(String suffix) {
        this.suffix = suffix;
    }

    /** The suffix of the C function names, e.g. "acq_rel". */
    public String suffix() {
        return suffix;
    }

    /**
     * The operations of the shim and the orders C11 permits for each (C11 7.17.7.1, 7.17.7.2: a
     * load may not be release or acq_rel, a store may not be acquire or acq_rel); the shim has a
     * function for exactly these.
     */
    public enum Op {
        LOAD("load", EnumSet.of(RELAXED, ACQUIRE, SEQ_CST)),
        STORE("store", EnumSet.of(RELAXED, RELEASE, SEQ_CST)),
        EXCHANGE("exchange", EnumSet.allOf(MemoryOrder.class)),
        COMPARE_EXCHANGE("cas", EnumSet.allOf(MemoryOrder.class)),
        FETCH_ADD("fetch_add", EnumSet.allOf(MemoryOrder.class)),
        FENCE("fence", EnumSet.allOf(MemoryOrder.class));

        private final String cName;
        private final Set<MemoryOrder> orders;

        Op(String cName, EnumSet<MemoryOrder> orders) {
            this.cName = cName;
            this.orders = Collections.unmodifiableSet(orders);
        }

        /** The orders this operation accepts, in declaration order. */
        public Set<MemoryOrder> orders() {
            return orders;
        }

        public boolean accepts(MemoryOrder order) {
            return orders.contains(order);
        }

        /** The C function for this operation and order, e.g. "interop_cas_acq_rel". */
        public String symbol(MemoryOrder order) {
            return "interop_" + cName + "_" + check(order).suffix;
        }

        /**
         * Returns {@code order} if this operation accepts it.
         *
         * @throws IllegalArgumentException naming the operation and the order otherwise
         */
        public MemoryOrder check(MemoryOrder order) {
            if (order == null || !orders.contains(order)) {
                throw invalid(order);
            }
            return order;
        }

        IllegalArgumentException invalid(MemoryOrder order) {
            if (order == null) {
                return new IllegalArgumentException(cName + ": memory order is null");
            }
            StringBuilder allowed = new StringBuilder();
            for (MemoryOrder o : MemoryOrder.values()) {
                if (orders.contains(o)) {
                    allowed.append(allowed.isEmpty() ? "" : ", ").append(o.suffix);
                }
            }
            return new IllegalArgumentException(
                    cName + " does not accept memory order " + order.suffix + " (C11 allows " + allowed + ")");
        }
    }
}
