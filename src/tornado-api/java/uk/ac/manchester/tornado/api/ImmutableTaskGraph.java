package uk.ac.manchester.tornado.api;

import java.util.List;

/** A frozen task graph, as {@link TaskGraph#snapshot()} makes it. */
public final class ImmutableTaskGraph {
    final String name;
    final List<Task> tasks;

    ImmutableTaskGraph(String name, List<Task> tasks) {
        this.name = name;
        this.tasks = List.copyOf(tasks);
    }

    /** A task id and the call it stands for. */
    record Task(String id, Runnable call) {
    }
}
