package uk.ac.manchester.tornado.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.standin.StandIn.Declaration;
import uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray;

/** A frozen task graph, as {@link TaskGraph#snapshot()} makes it. */
public final class ImmutableTaskGraph {
    final String name;
    final List<Task> tasks;
    /** {@code transferToDevice}, in declaration order. */
    final List<Declaration> toDevice = new ArrayList<>();
    /** {@code transferToHost} with {@code FIRST_EXECUTION} or {@code EVERY_EXECUTION}: copied out after every execution. */
    final List<Declaration> toHostAlways = new ArrayList<>();
    /** Arrays other graphs may consume: {@code persistOnDevice}, {@code transferToHost(UNDER_DEMAND)}, and what this graph consumes. */
    final Set<Object> persisted = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Consumed arrays by the graph named as their source. */
    final Map<String, List<Object>> consumedFrom = new LinkedHashMap<>();
    /** Every consumed array, whatever its source. */
    final List<Object> consumed = new ArrayList<>();
    /** Every declared array: what {@code TornadoExecutionResult.transferToHost} can copy out of this graph. */
    final Set<Object> declared = Collections.newSetFromMap(new IdentityHashMap<>());

    ImmutableTaskGraph(String name, List<Task> tasks, List<Declaration> declarations) {
        this.name = name;
        this.tasks = List.copyOf(tasks);
        for (Declaration d : declarations) {
            if (!(d.object() instanceof TornadoNativeArray)) {
                continue; // scalars are passed by value; the stand-in keeps no device copy of other objects
            }
            declared.add(d.object());
            switch (d.kind()) {
                case TO_DEVICE -> toDevice.add(d);
                case TO_HOST -> {
                    if (d.mode() == DataTransferMode.UNDER_DEMAND) {
                        persisted.add(d.object());
                    } else {
                        toHostAlways.add(d);
                    }
                }
                case PERSIST -> persisted.add(d.object());
                case CONSUME -> {
                    consumedFrom.computeIfAbsent(d.source(), k -> new ArrayList<>()).add(d.object());
                    consumed.add(d.object());
                    persisted.add(d.object());
                }
            }
        }
    }

    /** A task: its id, its arguments, and the call it stands for (which reads the arguments' current segments). */
    record Task(String id, Object[] args, Runnable call) {
    }
}
