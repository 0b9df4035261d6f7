package testbed.litmus.runtime;

/**
 * A kernel that needs per-thread state before its first run: an embedded guest's context,
 * which belongs to the thread that made it. A {@link JavaActor} calls {@link #open()} on its
 * own thread before it rehearses or counts itself ready, and {@link #close()} on that thread
 * when it leaves, whether it completed, aborted or failed. An exception from {@code open}
 * ends the actor before it is ready; {@link JavaActor#join} throws it.
 */
public interface ThreadBoundKernel extends JavaKernel, AutoCloseable {

    void open();

    @Override
    void close();
}
