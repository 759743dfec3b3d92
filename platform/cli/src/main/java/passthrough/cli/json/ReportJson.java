package passthrough.cli.json;

/** `report --json`: where the archive went and what it holds. */
public record ReportJson(String archive, long bytes, int files, int symlinks, int directories, int devices, int groups) {
}
