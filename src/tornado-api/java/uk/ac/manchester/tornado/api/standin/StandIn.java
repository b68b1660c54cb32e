package uk.ac.manchester.tornado.api.standin;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray;

/**
 * What the stand-in alone offers tests: a record of the transfers it performs, and a way to build a task
 * graph without some of the transfers its code declares. This package is not exported (the real
 * {@code tornado.api} has nothing like it): tests reach it with
 * {@code --add-exports tornado.api/uk.ac.manchester.tornado.api.standin=lenet}.
 *
 * <p>Both work on the calling thread: a {@link Recording} sees the transfers of the plans executed on the
 * thread that opened it; {@link #without} drops the declarations made on that thread while it is open.
 */
public final class StandIn {
    private static final ThreadLocal<List<Recording>> RECORDINGS = ThreadLocal.withInitial(ArrayList::new);
    private static final ThreadLocal<List<Predicate<Declaration>>> DROPS = ThreadLocal.withInitial(ArrayList::new);

    private StandIn() {
    }

    /** Which way a transfer went: host to device or device to host. */
    public enum Direction {
        TO_DEVICE, TO_HOST
    }

    /**
     * One copy the stand-in made between host and device memory.
     *
     * @param graph the task graph whose device copy it was
     * @param cause {@code FIRST_EXECUTION}, {@code EVERY_EXECUTION}, or {@code UNDER_DEMAND} (a
     *              {@code TornadoExecutionResult.transferToHost} call)
     */
    public record Transfer(String graph, Direction direction, TornadoNativeArray array, long bytes, String cause) {
        @Override
        public String toString() {
            return graph + " " + direction + " " + describe(array) + " (" + bytes + " bytes, " + cause + ")";
        }
    }

    /** What a task graph declares about an array, as the graph is built. */
    public enum Kind {
        TO_DEVICE, TO_HOST, PERSIST, CONSUME
    }

    /**
     * A declaration: {@code mode} is the {@code DataTransferMode} of a transfer (-1 for persist and
     * consume); {@code source} the graph named by {@code consumeFromDevice} (null otherwise).
     */
    public record Declaration(String graph, Kind kind, int mode, String source, Object object) {
    }

    /** The transfers made on this thread until {@link #close()}, in order. */
    public static final class Recording implements AutoCloseable {
        private final List<Transfer> transfers = new ArrayList<>();

        private Recording() {
        }

        public List<Transfer> transfers() {
            return List.copyOf(transfers);
        }

        /** Forgets what was recorded so far. */
        public void clear() {
            transfers.clear();
        }

        @Override
        public void close() {
            RECORDINGS.get().remove(this);
        }
    }

    public static Recording record() {
        Recording r = new Recording();
        RECORDINGS.get().add(r);
        return r;
    }

    /** While open, task graphs built on this thread leave out the declarations {@code drop} accepts. */
    public static AutoCloseable without(Predicate<Declaration> drop) {
        DROPS.get().add(drop);
        return () -> DROPS.get().remove(drop);
    }

    /** For the stand-in's task graphs: whether a declaration is to be left out. */
    public static boolean dropped(Declaration d) {
        for (Predicate<Declaration> p : DROPS.get()) {
            if (p.test(d)) {
                return true;
            }
        }
        return false;
    }

    /** For the stand-in's device memory: notes a transfer. */
    public static void transferred(Transfer t) {
        for (Recording r : RECORDINGS.get()) {
            r.transfers.add(t);
        }
    }

    /** "FloatArray[150]": how messages name an array. */
    public static String describe(Object array) {
        if (array instanceof TornadoNativeArray a) {
            return a.getClass().getSimpleName() + "[" + a.getSize() + "]";
        }
        return String.valueOf(array);
    }
}
