package lenet.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import lenet.engine.tornado.TornadoErrors;

import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task10;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task11;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task12;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task13;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task14;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task1;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task2;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task3;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task4;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task5;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task6;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task7;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task8;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task9;
import uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray;

/**
 * The TornadoVM engine's task sink: adds each kernel call to a TornadoVM {@link TaskGraph}, and keeps a
 * readable record of the graph (task ids, transfers) that the engine prints with {@code --profile} and
 * that tests assert on. It also keeps each call, so that a single task can be added again to a graph of
 * its own: the engine compiles tasks one by one to name the kernel that TornadoVM cannot compile.
 */
public final class GraphSink implements TaskSink {
    private final TaskGraph graph;
    private final List<String> tasks = new ArrayList<>();
    private final List<String> transfers = new ArrayList<>();
    private final List<Call> calls = new ArrayList<>();
    /** The arrays the transfers name, and those of them taken over from another graph. */
    private final List<Object> transferred = new ArrayList<>();
    private final Set<Object> consumed = Collections.newSetFromMap(new IdentityHashMap<>());

    /** A task as added: its id, its arguments, and how to add it to another graph. */
    public record Call(String id, Object[] args, Consumer<TaskGraph> addTo) {
    }

    public GraphSink(String name) {
        graph = new TaskGraph(name);
    }

    public TaskGraph graph() {
        return graph;
    }

    public String name() {
        return graph.getTaskGraphName();
    }

    /** The tasks as added, in execution order. */
    public List<Call> calls() {
        return List.copyOf(calls);
    }

    /**
     * Adds a task. TornadoVM builds the kernel's "sketch" (its parsed, inlined form) as the task is added
     * and throws here when it cannot: that error names this graph and task.
     */
    private void add(String id, Object[] args, Consumer<TaskGraph> addTo) {
        tasks.add(id);
        calls.add(new Call(id, args, addTo));
        try {
            addTo.accept(graph);
        } catch (RuntimeException | Error e) {
            if (!TornadoErrors.fromTornado(e)) {
                throw e;
            }
            throw TornadoErrors.kernelFailed(name(), id, e);
        }
    }

    /**
     * The bytes of the device buffers this graph allocates, as TornadoVM allocates them: one for every
     * array its tasks and transfers name (with TornadoVM's array header), except those it consumes from
     * another graph, whose buffers it takes over.
     */
    public long deviceBytes() {
        Set<Object> own = Collections.newSetFromMap(new IdentityHashMap<>());
        long bytes = 0;
        List<Object> all = new ArrayList<>(transferred);
        calls.forEach(c -> all.addAll(List.of(c.args())));
        for (Object o : all) {
            if (o instanceof TornadoNativeArray a && !consumed.contains(a) && own.add(a)) {
                bytes += a.getNumBytesOfSegmentWithHeader();
            }
        }
        return bytes;
    }

    /** Task ids in execution order. */
    public List<String> tasks() {
        return List.copyOf(tasks);
    }

    /** Transfers as "toDevice(EVERY_EXECUTION): cursor" lines, in the order they were declared. */
    public List<String> transfers() {
        return List.copyOf(transfers);
    }

    private static final String[] MODES = {"FIRST_EXECUTION", "EVERY_EXECUTION", "UNDER_DEMAND"};

    /** Objects with their names, for the record: {@code named("cursor", cursor, ...)}. */
    public GraphSink toDevice(int mode, Named... objects) {
        transferred.addAll(List.of(values(objects)));
        graph.transferToDevice(mode, values(objects));
        transfers.add("toDevice(" + MODES[mode] + "): " + names(objects));
        return this;
    }

    public GraphSink toHost(int mode, Named... objects) {
        transferred.addAll(List.of(values(objects)));
        graph.transferToHost(mode, values(objects));
        transfers.add("toHost(" + MODES[mode] + "): " + names(objects));
        return this;
    }

    public GraphSink persist(Named... objects) {
        transferred.addAll(List.of(values(objects)));
        graph.persistOnDevice(values(objects));
        transfers.add("persist: " + names(objects));
        return this;
    }

    public GraphSink consume(String fromGraph, Named... objects) {
        transferred.addAll(List.of(values(objects)));
        consumed.addAll(List.of(values(objects)));
        graph.consumeFromDevice(fromGraph, values(objects));
        transfers.add("consume(" + fromGraph + "): " + names(objects));
        return this;
    }

    /** A buffer and the name it has in the graph's record. */
    public record Named(String name, Object value) {
    }

    public static Named named(String name, Object value) {
        return new Named(name, value);
    }

    private static Object[] values(Named[] objects) {
        return Arrays.stream(objects).map(Named::value).toArray();
    }

    private static String names(Named[] objects) {
        return String.join(", ", Arrays.stream(objects).map(Named::name).toList());
    }

    @Override
    public <A> void task(String id, Task1<A> k, A a) {
        add(id, new Object[] {a}, t -> t.task(id, k, a));
    }

    @Override
    public <A, B> void task(String id, Task2<A, B> k, A a, B b) {
        add(id, new Object[] {a, b}, t -> t.task(id, k, a, b));
    }

    @Override
    public <A, B, C> void task(String id, Task3<A, B, C> k, A a, B b, C c) {
        add(id, new Object[] {a, b, c}, t -> t.task(id, k, a, b, c));
    }

    @Override
    public <A, B, C, D> void task(String id, Task4<A, B, C, D> k, A a, B b, C c, D d) {
        add(id, new Object[] {a, b, c, d}, t -> t.task(id, k, a, b, c, d));
    }

    @Override
    public <A, B, C, D, E> void task(String id, Task5<A, B, C, D, E> k, A a, B b, C c, D d, E e) {
        add(id, new Object[] {a, b, c, d, e}, t -> t.task(id, k, a, b, c, d, e));
    }

    @Override
    public <A, B, C, D, E, F> void task(String id, Task6<A, B, C, D, E, F> k, A a, B b, C c, D d, E e, F f) {
        add(id, new Object[] {a, b, c, d, e, f}, t -> t.task(id, k, a, b, c, d, e, f));
    }

    @Override
    public <A, B, C, D, E, F, G> void task(String id, Task7<A, B, C, D, E, F, G> k, A a, B b, C c, D d, E e, F f, G g) {
        add(id, new Object[] {a, b, c, d, e, f, g}, t -> t.task(id, k, a, b, c, d, e, f, g));
    }

    @Override
    public <A, B, C, D, E, F, G, H, I, J> void task(String id, Task10<A, B, C, D, E, F, G, H, I, J> k,
            A a, B b, C c, D d, E e, F f, G g, H h, I i, J j) {
        add(id, new Object[] {a, b, c, d, e, f, g, h, i, j}, t -> t.task(id, k, a, b, c, d, e, f, g, h, i, j));
    }

    @Override
    public <A, B, C, D, E, F, G, H, I, J, K> void task(String id, Task11<A, B, C, D, E, F, G, H, I, J, K> k,
            A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K kk) {
        add(id, new Object[] {a, b, c, d, e, f, g, h, i, j, kk}, t -> t.task(id, k, a, b, c, d, e, f, g, h, i, j, kk));
    }

    @Override
    public <A, B, C, D, E, F, G, H> void task(String id, Task8<A, B, C, D, E, F, G, H> k, A a, B b, C c, D d, E e, F f, G g, H h) {
        add(id, new Object[] {a, b, c, d, e, f, g, h}, t -> t.task(id, k, a, b, c, d, e, f, g, h));
    }

    @Override
    public <A, B, C, D, E, F, G, H, I> void task(String id, Task9<A, B, C, D, E, F, G, H, I> k, A a, B b, C c, D d, E e, F f, G g, H h, I i) {
        add(id, new Object[] {a, b, c, d, e, f, g, h, i}, t -> t.task(id, k, a, b, c, d, e, f, g, h, i));
    }

    @Override
    public <A, B, C, D, E, F, G, H, I, J, K, L> void task(String id, Task12<A, B, C, D, E, F, G, H, I, J, K, L> k, A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K kk, L l) {
        add(id, new Object[] {a, b, c, d, e, f, g, h, i, j, kk, l}, t -> t.task(id, k, a, b, c, d, e, f, g, h, i, j, kk, l));
    }

    @Override
    public <A, B, C, D, E, F, G, H, I, J, K, L, M> void task(String id, Task13<A, B, C, D, E, F, G, H, I, J, K, L, M> k, A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K kk, L l, M m) {
        add(id, new Object[] {a, b, c, d, e, f, g, h, i, j, kk, l, m}, t -> t.task(id, k, a, b, c, d, e, f, g, h, i, j, kk, l, m));
    }

    @Override
    public <A, B, C, D, E, F, G, H, I, J, K, L, M, N> void task(String id, Task14<A, B, C, D, E, F, G, H, I, J, K, L, M, N> k, A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K kk, L l, M m, N nn) {
        add(id, new Object[] {a, b, c, d, e, f, g, h, i, j, kk, l, m, nn}, t -> t.task(id, k, a, b, c, d, e, f, g, h, i, j, kk, l, m, nn));
    }
}
