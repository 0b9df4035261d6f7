package testbed.litmus.runtime;

/**
 * How one litmus actor (of any runtime) ended.
 *
 * @param rounds rounds whose kernel this actor ran
 * @param consumed rounds this actor consumed (it arrived last)
 * @param aborted {@link #COMPLETED} (0): it left because the test was done; {@link #ABORT_WORD} (1):
 *     it saw the runner's abort word; {@link #OWN_STALL} (2): it waited longer than its own stall
 *     timeout
 * @param reason one line saying why it aborted; empty when it completed
 * @param elapsedNs from the start of the actor's round 1 to its leaving (0 if it ran no round)
 */
public record ActorResult(long rounds, long consumed, int aborted, String reason, long elapsedNs) {

    public static final int COMPLETED = 0;
    public static final int ABORT_WORD = 1;
    public static final int OWN_STALL = 2;

    public ActorResult {
        if (aborted < COMPLETED || aborted > OWN_STALL) {
            throw new IllegalArgumentException("aborted " + aborted + ", want 0 (no), 1 (abort word) or 2 (own stall)");
        }
        reason = reason == null ? "" : reason;
    }

    /** True if the actor left because the test was done, not aborted. */
    public boolean completed() {
        return aborted == COMPLETED;
    }
}
