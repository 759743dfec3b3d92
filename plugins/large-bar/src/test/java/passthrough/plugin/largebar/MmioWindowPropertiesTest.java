package passthrough.plugin.largebar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random cards of power-of-two BARs: the packing and the window keep the properties the explanation promises. */
class MmioWindowPropertiesTest {

    static List<List<Long>> randomCards(Random r) {
        List<List<Long>> cards = new ArrayList<>();
        int n = 1 + r.nextInt(4);
        for (int c = 0; c < n; c++) {
            List<Long> bars = new ArrayList<>();
            int k = r.nextInt(4);
            for (int b = 0; b < k; b++) bars.add(1L << (12 + r.nextInt(25))); // 4 KiB .. 64 GiB
            cards.add(bars);
        }
        return cards;
    }

    /** Where each card's window starts, placed by a plain first-fit search over an occupancy list (independent). */
    static long firstFitSpan(List<List<Long>> cards, long padding) {
        List<long[]> taken = new ArrayList<>();
        List<long[]> windows = new ArrayList<>();
        for (List<Long> c : cards) {
            if (c.isEmpty()) continue;
            long sum = 0;
            long align = 1L << 20;
            for (long s : c) {
                sum += s;
                align = Math.max(align, s);
            }
            long size = ((sum + padding + (1L << 20) - 1) >> 20) << 20;
            windows.add(new long[] {align, size});
        }
        windows.sort((a, b) -> Long.compare(b[0], a[0]));
        long end = 0;
        for (long[] w : windows) {
            long at = 0;
            boolean moved = true;
            while (moved) {
                moved = false;
                for (long[] t : taken) {
                    if (at < t[1] && t[0] < at + w[1]) {
                        at = ((t[1] + w[0] - 1) / w[0]) * w[0];
                        moved = true;
                    }
                }
            }
            taken.add(new long[] {at, at + w[1]});
            end = Math.max(end, at + w[1]);
        }
        return end;
    }

    @Test
    void packingNeverOverlapsNeverShrinksAndAgreesWithAFirstFitPlacementWhenOrderedByAlignment() {
        Random r = new Random(0x1b39L);
        for (int round = 0; round < 5000; round++) {
            List<List<Long>> cards = randomCards(r);
            long sum = cards.stream().flatMap(List::stream).mapToLong(Long::longValue).sum();
            long packed = MmioWindow.packed(cards, 0);
            assertTrue(packed >= sum, "holds every BAR: " + cards);
            long ff = firstFitSpan(cards, 0);
            assertTrue(packed >= ff, "never less than a first-fit placement needs: " + cards + " " + packed + " < " + ff);
            List<List<Long>> more = new ArrayList<>(cards);
            more.add(List.of(1L << (12 + r.nextInt(25))));
            assertTrue(MmioWindow.packed(more, 0) >= packed, "another card never needs less: " + more);
        }
    }

    @Test
    void theWindowIsTheSmallestPowerOfTwoThatHoldsTheBarsWithTheirPadding() {
        Random r = new Random(0x30000000000L);
        int applied = 0;
        for (int round = 0; round < 2000; round++) {
            List<List<Long>> cards = randomCards(r);
            if (!MmioWindow.exceedsClassic(cards)) {
                assertTrue(MmioWindow.packed(cards, 0) < MmioWindow.CLASSIC);
                continue;
            }
            applied++;
            long w = MmioWindow.window(cards);
            assertEquals(1, Long.bitCount(w), "a power of two: " + w);
            assertTrue(w >= 2 * MmioWindow.CLASSIC);
            assertTrue(MmioWindow.paddedNeed(cards, w) <= w, "holds the padded need: " + cards);
            if (w > 2 * MmioWindow.CLASSIC) {
                assertTrue(MmioWindow.paddedNeed(cards, w / 2) > w / 2, "the next smaller window would not: " + cards);
            }
        }
        assertTrue(applied > 40, "the random cards reach the classic window often enough: " + applied);
    }
}
