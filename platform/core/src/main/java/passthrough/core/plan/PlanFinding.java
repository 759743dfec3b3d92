package passthrough.core.plan;

/** A finding carried in a plan (plain strings, so a saved plan reads back without the api's enums). */
public record PlanFinding(String severity, String code, String message, String fix) {
}
