package uk.ac.manchester.tornado.api;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.standin.NativeArrays;
import uk.ac.manchester.tornado.api.standin.StandIn;
import uk.ac.manchester.tornado.api.standin.StandIn.Declaration;
import uk.ac.manchester.tornado.api.standin.StandIn.Direction;
import uk.ac.manchester.tornado.api.standin.StandIn.Transfer;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray;

/**
 * The device memory of one execution plan, kept apart from host memory as on a GPU, following TornadoVM
 * 5.2's rules (its {@code TornadoTaskGraph}, {@code TornadoExecutor} and interpreter, device buffers
 * reused across executions as by default):
 * <ul>
 * <li>Every graph has its own device copy of each array it uses (a task argument or a declared array),
 * allocated at first use with undefined contents and kept for the life of the plan.</li>
 * <li>Before a graph runs: the arrays it consumes ({@code consumeFromDevice}) take the device copies of the
 * graph the plan executed last; when that graph is named in a {@code consumeFromDevice}, only the arrays
 * consumed from it, otherwise every consumed array. The source must have persisted them
 * ({@code persistOnDevice}, {@code transferToHost(UNDER_DEMAND)}, or consumed them itself).</li>
 * <li>Then {@code transferToDevice}: {@code EVERY_EXECUTION} uploads at every execution,
 * {@code FIRST_EXECUTION} once, when the device copy has never been uploaded (a copy taken over from
 * another graph counts as that graph's).</li>
 * <li>Tasks run in order, each with its array arguments backed by their device copies.</li>
 * <li>After the graph: {@code transferToHost} with {@code EVERY_EXECUTION} (or {@code FIRST_EXECUTION},
 * which TornadoVM treats alike for copies out) copies to the host. {@code UNDER_DEMAND} arrays move only
 * through {@link TornadoExecutionResult#transferToHost}, from the graphs the plan has selected at that
 * moment, and only arrays those graphs declare.</li>
 * </ul>
 * Which elements of a device copy hold a value is tracked: an upload defines all, a task the elements it
 * writes. A task whose arguments hold undefined elements is run twice, with two different fillings of
 * them; if anything it leaves differs beyond those untouched elements, it read memory nothing had set,
 * and the stand-in throws, naming the graph, the task and the argument. TornadoVM would have run it on
 * whatever the device memory held.
 */
final class DeviceMemory {
    private final Map<ImmutableTaskGraph, Map<TornadoNativeArray, Buffer>> copies = new IdentityHashMap<>();
    private final Set<ImmutableTaskGraph> executed = Collections.newSetFromMap(new IdentityHashMap<>());
    private ImmutableTaskGraph last;

    /** A device copy: the array's bytes, header included, and which elements hold a value. */
    private static final class Buffer {
        final MemorySegment segment;
        final int elements;
        final int elementBytes;
        final boolean isFloat;
        /** Elements that hold no value yet; null when all do. */
        BitSet undefined;
        boolean uploaded;

        Buffer(TornadoNativeArray host) {
            elements = host.getSize();
            elementBytes = host.getElementSize();
            isFloat = host instanceof FloatArray;
            segment = Arena.ofAuto().allocate(host.getNumBytesOfSegmentWithHeader(), 64);
            MemorySegment.copy(host.getSegmentWithHeader(), 0, segment, 0, TornadoNativeArray.ARRAY_HEADER);
            if (elements > 0) {
                undefined = new BitSet(elements);
                undefined.set(0, elements);
            }
        }

        void defineAll() {
            undefined = null;
        }
    }

    /** Bytes of the device copies the graphs hold, headers included; a copy graphs share counts once. */
    long bytes() {
        Set<Buffer> all = Collections.newSetFromMap(new IdentityHashMap<>());
        copies.values().forEach(m -> all.addAll(m.values()));
        return all.stream().mapToLong(b -> b.segment.byteSize()).sum();
    }

    private Map<TornadoNativeArray, Buffer> copies(ImmutableTaskGraph g) {
        return copies.computeIfAbsent(g, k -> new IdentityHashMap<>());
    }

    private Buffer buffer(ImmutableTaskGraph g, TornadoNativeArray a) {
        return copies(g).computeIfAbsent(a, Buffer::new);
    }

    /** Runs the selected graphs, in order; as in TornadoVM, they all take consumed arrays from the graph executed before this call. */
    void execute(List<ImmutableTaskGraph> selection, TaskTimer timer) {
        ImmutableTaskGraph source = last;
        for (ImmutableTaskGraph g : selection) {
            takeOver(g, source);
            for (Declaration d : g.toDevice) {
                Buffer b = buffer(g, (TornadoNativeArray) d.object());
                if (d.mode() == DataTransferMode.EVERY_EXECUTION || !b.uploaded) {
                    upload(g, (TornadoNativeArray) d.object(), b, d.mode() == DataTransferMode.EVERY_EXECUTION ? "EVERY_EXECUTION" : "FIRST_EXECUTION");
                }
            }
            timer.graphStarted(g);
            for (ImmutableTaskGraph.Task t : g.tasks) {
                long t0 = System.nanoTime();
                run(g, t);
                timer.taskDone(System.nanoTime() - t0);
            }
            timer.graphDone();
            for (Declaration d : g.toHostAlways) {
                download(g, (TornadoNativeArray) d.object(), d.mode() == DataTransferMode.EVERY_EXECUTION ? "EVERY_EXECUTION" : "FIRST_EXECUTION");
            }
            executed.add(g);
        }
        if (!selection.isEmpty()) {
            last = selection.getLast();
        }
    }

    /** TornadoVM's {@code updatePersistedObjectState}: consumed arrays take the device copies of the graph executed last. */
    private void takeOver(ImmutableTaskGraph g, ImmutableTaskGraph source) {
        if (g.consumed.isEmpty()) {
            return;
        }
        if (source == null) {
            throw new IllegalStateException("task graph " + g.name + " consumes " + StandIn.describe(g.consumed.getFirst()) + " from graph "
                    + g.consumedFrom.keySet().iterator().next() + ", but no graph of this plan has run before it: a graph takes"
                    + " consumed arrays from the graph the plan executed last");
        }
        if (source == g) {
            return;
        }
        List<Object> arrays = g.consumedFrom.getOrDefault(source.name, g.consumed);
        for (Object o : arrays) {
            Buffer b = copies(source).get(o);
            if (b == null || !source.persisted.contains(o)) {
                throw new IllegalStateException("task graph " + g.name + " consumes " + StandIn.describe(o) + " (named source: "
                        + sourceOf(g, o) + "), but the graph executed before it, " + source.name + ", "
                        + (b == null ? "has no device copy of it" : "does not persist it (persistOnDevice)"));
            }
            copies(g).put((TornadoNativeArray) o, b);
        }
    }

    private static String sourceOf(ImmutableTaskGraph g, Object o) {
        for (Map.Entry<String, List<Object>> e : g.consumedFrom.entrySet()) {
            if (e.getValue().stream().anyMatch(x -> x == o)) {
                return e.getKey();
            }
        }
        return "?";
    }

    private static void upload(ImmutableTaskGraph g, TornadoNativeArray host, Buffer b, String cause) {
        MemorySegment.copy(host.getSegmentWithHeader(), 0, b.segment, 0, b.segment.byteSize());
        b.defineAll();
        b.uploaded = true;
        StandIn.transferred(new Transfer(g.name, Direction.TO_DEVICE, host, host.getNumBytesOfSegment(), cause));
    }

    private void download(ImmutableTaskGraph g, TornadoNativeArray host, String cause) {
        Buffer b = buffer(g, host);
        MemorySegment.copy(b.segment, 0, host.getSegmentWithHeader(), 0, b.segment.byteSize());
        StandIn.transferred(new Transfer(g.name, Direction.TO_HOST, host, host.getNumBytesOfSegment(), cause));
    }

    /** {@code TornadoExecutionResult.transferToHost}: copies each array out of every selected graph that declares it. */
    void transferToHost(List<ImmutableTaskGraph> selection, Object... objects) {
        for (Object o : objects) {
            if (!(o instanceof TornadoNativeArray a)) {
                continue;
            }
            boolean copied = false;
            for (ImmutableTaskGraph g : selection) {
                if (g.declared.contains(a)) {
                    if (!executed.contains(g)) {
                        throw new IllegalStateException("transferToHost(" + StandIn.describe(a) + "): task graph " + g.name
                                + " has not run yet, so it has nothing to copy");
                    }
                    download(g, a, "UNDER_DEMAND");
                    copied = true;
                }
            }
            if (!copied) {
                throw new IllegalStateException("transferToHost(" + StandIn.describe(a) + "): no selected task graph ("
                        + String.join(", ", selection.stream().map(g -> g.name).toList()) + ") declares it; a result copies out of the"
                        + " graphs the plan selects when transferToHost is called (withGraph), and only arrays they declare");
            }
        }
    }

    /** Runs a task with its array arguments backed by their device copies. */
    private void run(ImmutableTaskGraph g, ImmutableTaskGraph.Task t) {
        List<TornadoNativeArray> arrays = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < t.args().length; i++) {
            if (t.args()[i] instanceof TornadoNativeArray a && arrays.stream().noneMatch(x -> x == a)) {
                arrays.add(a);
                positions.add(i);
            }
        }
        Buffer[] buffers = new Buffer[arrays.size()];
        boolean complete = true;
        for (int i = 0; i < buffers.length; i++) {
            buffers[i] = buffer(g, arrays.get(i));
            complete &= buffers[i].undefined == null || buffers[i].undefined.isEmpty();
        }
        if (complete) {
            call(t, arrays, buffers);
        } else {
            probe(g, t, arrays, positions, buffers);
        }
    }

    private static void call(ImmutableTaskGraph.Task t, List<TornadoNativeArray> arrays, Buffer[] buffers) {
        MemorySegment[] host = new MemorySegment[buffers.length];
        for (int i = 0; i < buffers.length; i++) {
            host[i] = NativeArrays.swap(arrays.get(i), buffers[i].segment);
        }
        try {
            t.call().run();
        } finally {
            for (int i = 0; i < buffers.length; i++) {
                NativeArrays.swap(arrays.get(i), host[i]);
            }
        }
    }

    /**
     * Runs a task some of whose arguments hold undefined elements twice, with those elements filled with
     * two different patterns: an element both runs leave as filled is still undefined, one both runs leave
     * equal was written; anything else depends on what the undefined elements held.
     */
    private static void probe(ImmutableTaskGraph g, ImmutableTaskGraph.Task t, List<TornadoNativeArray> arrays, List<Integer> positions, Buffer[] buffers) {
        int n = buffers.length;
        MemorySegment[] before = snapshot(buffers);
        MemorySegment[] a = runFilled(g, t, arrays, positions, buffers, before, -1, 0);
        MemorySegment[] b = runFilled(g, t, arrays, positions, buffers, before, -1, 1);
        int culprit = -1;
        for (int i = 0; i < n && culprit < 0; i++) {
            if (differs(buffers[i], a[i], b[i], 0, 1)) {
                culprit = i;
            }
        }
        if (culprit >= 0) {
            throw unsetRead(g, t, arrays, positions, buffers, before, a);
        }
        for (int i = 0; i < n; i++) {
            Buffer buf = buffers[i];
            if (buf.undefined == null) {
                continue;
            }
            for (int e = buf.undefined.nextSetBit(0); e >= 0; e = buf.undefined.nextSetBit(e + 1)) {
                if (element(buf, a[i], e) != pattern(buf, e, 0) || element(buf, b[i], e) != pattern(buf, e, 1)) {
                    buf.undefined.clear(e); // written by the task (the same value in both runs)
                }
            }
            if (buf.undefined.isEmpty()) {
                buf.undefined = null;
            }
        }
        // the device copies now hold run b's results: the task's outputs, and the second filling where nothing wrote
    }

    /** Whether a task's two runs left buffer {@code buf} different beyond its untouched undefined elements. */
    private static boolean differs(Buffer buf, MemorySegment x, MemorySegment y, int fillX, int fillY) {
        long m = x.mismatch(y);
        if (m < 0) {
            return false;
        }
        if (buf.undefined == null) {
            return true;
        }
        for (int e = 0; e < buf.elements; e++) {
            int vx = element(buf, x, e);
            int vy = element(buf, y, e);
            if (vx != vy && !(buf.undefined.get(e) && vx == pattern(buf, e, fillX) && vy == pattern(buf, e, fillY))) {
                return true;
            }
        }
        return false;
    }

    /** Names the argument whose undefined elements the task read: each in turn gets the second filling alone. */
    private static IllegalStateException unsetRead(ImmutableTaskGraph g, ImmutableTaskGraph.Task t, List<TornadoNativeArray> arrays, List<Integer> positions,
            Buffer[] buffers, MemorySegment[] before, MemorySegment[] a) {
        List<String> read = new ArrayList<>();
        for (int k = 0; k < buffers.length; k++) {
            if (buffers[k].undefined == null || buffers[k].undefined.isEmpty()) {
                continue;
            }
            MemorySegment[] c = runFilled(g, t, arrays, positions, buffers, before, k, 0);
            for (int i = 0; i < buffers.length; i++) {
                if (differs(buffers[i], a[i], c[i], 0, i == k ? 1 : 0)) {
                    read.add(argument(positions.get(k), arrays.get(k), buffers[k]));
                    break;
                }
            }
        }
        if (read.isEmpty()) { // only a combination of them matters: name them all
            for (int k = 0; k < buffers.length; k++) {
                if (buffers[k].undefined != null && !buffers[k].undefined.isEmpty()) {
                    read.add(argument(positions.get(k), arrays.get(k), buffers[k]));
                }
            }
        }
        return new IllegalStateException("task graph " + g.name + ", task " + t.id() + ": " + String.join("; ", read)
                + " is read on the device, but no transfer (transferToDevice, consumeFromDevice from a graph that persists it)"
                + " and no earlier task gave it a value there");
    }

    private static String argument(int position, TornadoNativeArray array, Buffer b) {
        return "argument " + position + " (" + StandIn.describe(array) + ", " + b.undefined.cardinality() + " of " + b.elements + " elements unset)";
    }

    private static MemorySegment[] snapshot(Buffer[] buffers) {
        MemorySegment[] s = new MemorySegment[buffers.length];
        for (int i = 0; i < buffers.length; i++) {
            s[i] = Arena.ofAuto().allocate(buffers[i].segment.byteSize(), 64).copyFrom(buffers[i].segment);
        }
        return s;
    }

    /**
     * Restores the buffers to {@code before}, fills their undefined elements with filling 0 (and those of
     * buffer {@code second}, if any, with filling {@code fill}), runs the task, and returns what it left.
     */
    private static MemorySegment[] runFilled(ImmutableTaskGraph g, ImmutableTaskGraph.Task t, List<TornadoNativeArray> arrays, List<Integer> positions,
            Buffer[] buffers, MemorySegment[] before, int second, int fill) {
        for (int i = 0; i < buffers.length; i++) {
            Buffer b = buffers[i];
            b.segment.copyFrom(before[i]);
            if (b.undefined != null) {
                int f = second < 0 || i == second ? fill : 0;
                for (int e = b.undefined.nextSetBit(0); e >= 0; e = b.undefined.nextSetBit(e + 1)) {
                    setElement(b, b.segment, e, pattern(b, e, f));
                }
            }
        }
        try {
            call(t, arrays, buffers);
        } catch (RuntimeException | Error e) {
            List<String> unset = new ArrayList<>();
            for (int i = 0; i < buffers.length; i++) {
                if (buffers[i].undefined != null && !buffers[i].undefined.isEmpty()) {
                    unset.add(argument(positions.get(i), arrays.get(i), buffers[i]));
                }
            }
            throw new IllegalStateException("task graph " + g.name + ", task " + t.id() + " failed while " + String.join("; ", unset)
                    + " held elements no transfer or earlier task gave a value: " + e, e);
        }
        return snapshot(buffers);
    }

    /** Element {@code e} of a copy of buffer {@code b} (a byte as its unsigned value, 4 bytes as their raw bits). */
    private static int element(Buffer b, MemorySegment s, int e) {
        long at = TornadoNativeArray.ARRAY_HEADER + (long) b.elementBytes * e;
        return b.elementBytes == 1 ? s.get(JAVA_BYTE, at) & 0xFF : s.get(JAVA_INT, at);
    }

    private static void setElement(Buffer b, MemorySegment s, int e, int value) {
        long at = TornadoNativeArray.ARRAY_HEADER + (long) b.elementBytes * e;
        if (b.elementBytes == 1) {
            s.set(JAVA_BYTE, at, (byte) value);
        } else {
            s.set(JAVA_INT, at, value);
        }
    }

    /**
     * The value an undefined element gets in filling 0 or 1 (as raw 4 bytes, or a byte's unsigned value): the
     * two always differ. Floats get finite values (1 to 2, or -1.5 to -2.5, so comparisons and sums see a
     * difference); ints and bytes small non-negative ones (0 to 7), so that reading one as an index still runs.
     */
    private static int pattern(Buffer b, int e, int fill) {
        int h = (e + 1) * 0x9E3779B1;
        h ^= h >>> 15;
        if (b.elementBytes != 4 && b.elementBytes != 1) {
            throw new IllegalStateException("the stand-in tracks 1- and 4-byte elements only");
        }
        boolean floats = b.isFloat;
        if (floats) {
            float x = 1.0f + (h & 0x3FF) / 1024.0f;
            return Float.floatToRawIntBits(fill == 0 ? x : -x - 0.5f);
        }
        int x = h & 7;
        return fill == 0 ? x : (x + 1 + ((h >>> 3) & 0x7FFFFFFF) % 7) % 8;
    }

    /** Per-task timing for the profiler. */
    interface TaskTimer {
        void graphStarted(ImmutableTaskGraph g);

        void taskDone(long nanos);

        void graphDone();
    }
}
