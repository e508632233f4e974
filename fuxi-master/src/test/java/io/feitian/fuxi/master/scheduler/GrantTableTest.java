package io.feitian.fuxi.master.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.feitian.common.resource.ResourceVector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The open-addressing grant table behaves like a map under heavy churn and growth. */
class GrantTableTest {

    private static HeldGrant held(long id) {
        Grant g = new Grant(id, "a", "u", "n", ResourceVector.of(1, 1), 0, LocalityLevel.CLUSTER, "");
        return new HeldGrant(g, null, null);
    }

    @Test
    void agreesWithHashMap() {
        Random r = new Random(7);
        GrantTable t = new GrantTable();
        Map<Long, HeldGrant> m = new HashMap<>();
        List<Long> keys = new ArrayList<>();
        long next = 5L << 40;
        for (int i = 0; i < 200_000; i++) {
            int op = r.nextInt(10);
            if (op < 5 || keys.isEmpty()) {
                // mostly sequential ids, sometimes ids of another term
                long id = r.nextInt(20) == 0 ? ((long) r.nextInt(8) << 40) + r.nextInt(1000) : next++;
                HeldGrant h = held(id);
                t.put(id, h);
                if (m.put(id, h) == null) {
                    keys.add(id);
                }
            } else if (op < 8) {
                long id = keys.remove(r.nextInt(keys.size()));
                assertSame(m.remove(id), t.remove(id));
            } else {
                long id = r.nextBoolean() && !keys.isEmpty() ? keys.get(r.nextInt(keys.size())) : r.nextLong();
                assertSame(m.get(id), t.get(id));
                assertEquals(m.containsKey(id), t.containsKey(id));
            }
            assertEquals(m.size(), t.size());
        }
        for (long id : keys) {
            assertSame(m.get(id), t.get(id));
        }
        assertEquals(m.size(), t.values().size());
        assertEquals(null, t.remove(-1));
    }
}
