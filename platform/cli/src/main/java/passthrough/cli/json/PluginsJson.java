package passthrough.cli.json;

import java.util.List;
import passthrough.core.plugins.audit.AuditRecord;
import passthrough.core.plugins.audit.AuditViolation;
import passthrough.core.plugins.audit.PluginAuditResult;

/** `plugins --json` (`plugins list`), and the audit as `plugins install` and `list` show it. */
public record PluginsJson(List<String> directories, List<PluginJson> plugins, List<ExtensionJson> extensions,
                          List<ProblemJson> problems) {

    /**
     * @param origin "first-party" or "third-party"
     * @param audit  the audit it was installed with; null unless installed with `plugins install`
     */
    public record PluginJson(String id, String version, String provider, String state, String path,
                             List<String> extensionPoints, List<String> extensions, String origin, AuditJson audit) {
    }

    public record ExtensionJson(String extensionPoint, String id, String source) {
    }

    public record ProblemJson(String path, String plugin, String message) {
    }

    /**
     * @param clean      valid manifest, nothing forbidden
     * @param trusted    installed with --trust despite violations
     * @param violations each as {@code class.method:line → target (reason)}
     */
    public record AuditJson(String sha256, boolean clean, boolean trusted, int classes, List<String> manifestProblems,
                            List<ViolationJson> violations) {

        public static AuditJson of(PluginAuditResult a, boolean trusted) {
            return new AuditJson(a.sha256(), a.clean(), trusted, a.classCount(), a.manifest().problems(),
                    a.violations().stream().map(ViolationJson::of).toList());
        }

        public static AuditJson of(AuditRecord r) {
            return r == null ? null : of(r.audit(), r.trusted());
        }
    }

    public record ViolationJson(String className, String method, int line, String target, String reason, String text) {
        static ViolationJson of(AuditViolation v) {
            return new ViolationJson(v.className(), v.methodName(), v.line(), v.target(), v.reason(), v.toString());
        }
    }

    /** `plugins install --json`. */
    public record Install(String action, String plugin, String version, String path, boolean trusted, String txid,
                          AuditJson audit) {
    }

    /** `plugins remove --json`. */
    public record Remove(String action, String plugin, String txid, List<String> files) {
    }
}
