package testbed.litmus;

/**
 * One value of a test's outcome: a register of an actor, or a location's final value.
 *
 * @param actor    actor index for a register, -1 for a location
 * @param register the register's index among the actor's, -1 for a location
 * @param location the location's index in an instance (its bytes 8 * location), -1 for a register
 */
public record Gather(int actor, int register, int location) {
    public static Gather reg(int actor, int register) {
        return new Gather(actor, register, -1);
    }

    public static Gather mem(int location) {
        return new Gather(-1, -1, location);
    }

    public boolean isRegister() {
        return actor >= 0;
    }

    public String label() {
        return isRegister() ? "a" + actor + ".r" + register : "[" + 8 * location + "]";
    }
}
