package passthrough.cli.json;

import java.util.List;

/** `verify --json`: the verdict ("verified" / "not-verified") and each check. */
public record VerifyJson(boolean passed, String verdict, String target, List<String> targets, Integer group,
                         List<Integer> groups, String driver,
                         List<CheckResult> findings) {

    /** One check: status "pass", "warn" or "fail", with the fields of a `check` finding. */
    public record CheckResult(String status, String severity, String code, String message, String fix) {
    }
}
