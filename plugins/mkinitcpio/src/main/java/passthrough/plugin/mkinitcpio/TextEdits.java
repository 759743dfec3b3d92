package passthrough.plugin.mkinitcpio;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Replacements of spans of one text, applied together: each names offsets of the original text, so edits planned
 * from one parse do not shift each other, and the bytes outside every span stay as they were.
 */
final class TextEdits {
    private record Edit(int start, int end, String replacement, int order) {
    }

    private final String text;
    private final List<Edit> edits = new ArrayList<>();

    TextEdits(String text) {
        this.text = text;
    }

    /**
     * Replaces {@code [start, end)}; an insertion is an empty span. Insertions at one offset keep their call order.
     * Overlapping deletions (two neighbouring words taken out, each with its blanks) become one.
     */
    void replace(int start, int end, String replacement) {
        for (int k = 0; k < edits.size(); k++) {
            Edit e = edits.get(k);
            boolean overlaps = start < e.end() && e.start() < end;
            if (overlaps && replacement.isEmpty() && e.replacement().isEmpty()) {
                edits.remove(k);
                replace(Math.min(start, e.start()), Math.max(end, e.end()), "");
                return;
            }
            if (overlaps) {
                throw new IllegalStateException("overlapping edits at " + start + ".." + end + " and " + e.start() + ".." + e.end());
            }
        }
        edits.add(new Edit(start, end, replacement, edits.size()));
    }

    void insert(int at, String inserted) {
        replace(at, at, inserted);
    }

    boolean isEmpty() {
        return edits.isEmpty();
    }

    String apply() {
        List<Edit> sorted = new ArrayList<>(edits);
        sorted.sort(Comparator.comparingInt(Edit::start).thenComparingInt(Edit::order));
        StringBuilder out = new StringBuilder();
        int pos = 0;
        for (Edit e : sorted) {
            out.append(text, pos, e.start()).append(e.replacement());
            pos = e.end();
        }
        return out.append(text.substring(pos)).toString();
    }
}
