package passthrough.core.plan;

/**
 * The planner will not plan this, for safety. The message names the device, the reason and the way out;
 * {@link #overrideFlag()} is the option that proceeds anyway, or null when nothing may override it.
 */
public final class PlanRefusedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String code;
    private final String overrideFlag;

    public PlanRefusedException(String code, String message, String overrideFlag) {
        super(message);
        this.code = code;
        this.overrideFlag = overrideFlag;
    }

    public String code() {
        return code;
    }

    public String overrideFlag() {
        return overrideFlag;
    }
}
