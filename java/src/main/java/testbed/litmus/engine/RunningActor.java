package testbed.litmus.engine;

import testbed.litmus.runtime.ActorResult;

import java.time.Duration;

/** An actor that was started ({@link ActorLauncher}): how to wait for it and how to make sure it is gone. */
abstract class RunningActor {
    final String label;

    RunningActor(String label) {
        this.label = label;
    }

    /** A failure known before the actor returns (a refused Go call, a guest that died), or null. */
    String earlyFailure() {
        return null;
    }

    /** The actor's result, or null if it did not return within {@code bound}. */
    abstract ActorResult await(Duration bound);

    /** Makes sure the actor has ended (after an abort): joins it, cancels a guest stuck in its kernel. */
    abstract void abandon();
}
