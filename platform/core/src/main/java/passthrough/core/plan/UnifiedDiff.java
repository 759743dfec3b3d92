package passthrough.core.plan;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import java.util.Arrays;
import java.util.List;

/** A planned file edit as a unified diff (`diff -u` style, 3 lines of context), for people to review. */
public final class UnifiedDiff {
    private UnifiedDiff() {
    }

    public static String of(PlannedFile f) {
        List<String> before = lines(f.before());
        List<String> after = lines(f.after());
        String from = f.before() == null ? "/dev/null" : "a/" + f.path();
        String to = f.after() == null ? "/dev/null" : "b/" + f.path();
        List<String> out = UnifiedDiffUtils.generateUnifiedDiff(from, to, before, DiffUtils.diff(before, after), 3);
        StringBuilder sb = new StringBuilder();
        for (String line : out) sb.append(line).append('\n');
        if (f.after() != null && !f.after().isEmpty() && !f.after().endsWith("\n")) sb.append("\\ No newline at end of file\n");
        return sb.toString();
    }

    private static List<String> lines(String text) {
        if (text == null || text.isEmpty()) return List.of();
        String t = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        return Arrays.asList(t.split("\n", -1));
    }
}
