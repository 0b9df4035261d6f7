package testbed.litmus;

import testbed.litmus.kernel.KernelPlan;

import java.util.List;
import java.util.Objects;

/**
 * One actor of a litmus test: the kernel its thread declares and the kernel it really runs,
 * both generated from the same {@link KernelPlan} shape in its runtime.
 *
 * <p>{@code actual} equals {@code declared} except in a deliberately broken variant, where
 * the test <em>declares</em> stronger modes (and so expects more to be forbidden) than the
 * actor runs.
 */
public record ActorSpec(KernelPlan declared, KernelPlan actual) {

    public ActorSpec {
        Objects.requireNonNull(declared, "declared");
        Objects.requireNonNull(actual, "actual");
        if (!declared.withModes(actual.modes()).equals(actual)) {
            throw new IllegalArgumentException("an actor runs its declared statements, in other modes at most: declared {"
                    + declared.text() + "}, runs {" + actual.text() + "}");
        }
    }

    public static ActorSpec of(KernelPlan plan) {
        return new ActorSpec(plan, plan);
    }

    public ActorRuntime runtime() {
        return declared.runtime();
    }

    /** The declared mode of each statement. */
    public List<String> modes() {
        return declared.modes();
    }

    /** The mode each statement really runs in. */
    public List<String> actualModes() {
        return actual.modes();
    }

    /** The same actor running {@code actualModes} while declaring its own. */
    public ActorSpec secretlyRunning(List<String> actualModes) {
        return new ActorSpec(declared, declared.withModes(actualModes));
    }

    public boolean broken() {
        return !declared.equals(actual);
    }

    /** The registers its kernel writes. */
    public int registers() {
        return declared.registers();
    }

    /**
     * Refuses an actor its runtime cannot run: a mode that the runtime lacks for that
     * statement, or a fence in a runtime without one.
     */
    public void validate() {
        for (KernelPlan plan : List.of(declared, actual)) {
            for (KernelPlan.Step s : plan.steps()) {
                List<String> allowed = switch (s) {
                    case KernelPlan.Load l -> runtime().loadModes();
                    case KernelPlan.Store st -> runtime().storeModes();
                    case KernelPlan.FetchAdd f -> runtime().rmwModes();
                    case KernelPlan.Exchange x -> runtime().rmwModes();
                    case KernelPlan.CompareExchange c -> runtime().rmwModes();
                    case KernelPlan.Fence f -> runtime().fenceModes();
                };
                if (!allowed.contains(s.mode())) {
                    String what = s.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
                    throw new IllegalArgumentException(allowed.isEmpty()
                            ? runtime().label() + " has no " + what + " at all"
                            : runtime().label() + " has no " + what + " with mode '" + s.mode() + "' (it has: " + String.join(", ", allowed) + ")");
                }
            }
        }
    }

    /** Short label: runtime letter and declared statements, and what really runs in a broken variant. */
    public String label() {
        return runtime().letter() + " {" + declared.text() + "}" + (broken() ? " (runs " + String.join(".", actualModes()) + ")" : "");
    }
}
