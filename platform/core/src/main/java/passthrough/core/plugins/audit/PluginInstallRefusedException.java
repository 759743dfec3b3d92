package passthrough.core.plugins.audit;

/**
 * `plugins install` or `remove` said no: nothing was written. {@link #code()} names the reason for scripts,
 * {@link #audit()} is the audit when there was one (so the refusal can list every offending call).
 */
public final class PluginInstallRefusedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String code;
    private final transient PluginAuditResult audit;

    PluginInstallRefusedException(String code, String message, PluginAuditResult audit) {
        super(message);
        this.code = code;
        this.audit = audit;
    }

    /** NOT_A_PLUGIN, AUDIT_FAILED, INCOMPATIBLE, ALREADY_INSTALLED, NOT_INSTALLED, NOT_THIRD_PARTY. */
    public String code() {
        return code;
    }

    public PluginAuditResult audit() {
        return audit;
    }
}
