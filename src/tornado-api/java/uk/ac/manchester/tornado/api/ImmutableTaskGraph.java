package uk.ac.manchester.tornado.api;

import java.util.List;

/** A frozen task graph, as {@link TaskGraph#snapshot()} makes it. */
public final class ImmutableTaskGraph {
    final String name;
    final List<Runnable> tasks;

    ImmutableTaskGraph(String name, List<Runnable> tasks) {
        this.name = name;
        this.tasks = List.copyOf(tasks);
    }
}
