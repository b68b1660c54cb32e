package uk.ac.manchester.tornado.api;

import java.util.ArrayList;
import java.util.List;

import uk.ac.manchester.tornado.api.common.TornadoFunctions;
import uk.ac.manchester.tornado.api.standin.StandIn;
import uk.ac.manchester.tornado.api.standin.StandIn.Declaration;
import uk.ac.manchester.tornado.api.standin.StandIn.Kind;

/**
 * A named list of tasks (kernel calls) and data transfers. The stand-in runs the tasks in the order they
 * were added, each on the device copies of its array arguments, and moves data between host and device
 * only as the graph declares (see {@link TornadoExecutionPlan}).
 */
public class TaskGraph {
    private final String name;
    private final List<ImmutableTaskGraph.Task> tasks = new ArrayList<>();
    private final List<Declaration> declarations = new ArrayList<>();

    public TaskGraph(String name) {
        this.name = name;
    }

    public String getTaskGraphName() {
        return name;
    }

    private TaskGraph declare(Kind kind, int mode, String source, Object... objects) {
        for (Object o : objects) {
            if (o == null) {
                throw new IllegalArgumentException("null object passed to task graph " + name);
            }
            Declaration d = new Declaration(name, kind, mode, source, o);
            if (!StandIn.dropped(d)) {
                declarations.add(d);
            }
        }
        return this;
    }

    public TaskGraph transferToDevice(int mode, Object... objects) {
        return declare(Kind.TO_DEVICE, mode, null, objects);
    }

    public TaskGraph transferToHost(int mode, Object... objects) {
        return declare(Kind.TO_HOST, mode, null, objects);
    }

    /** As in TornadoVM, the same as {@code transferToHost(UNDER_DEMAND, objects)}: kept on the device for graphs that consume them. */
    public TaskGraph persistOnDevice(Object... objects) {
        return declare(Kind.PERSIST, -1, null, objects);
    }

    public TaskGraph consumeFromDevice(String graphName, Object... objects) {
        return declare(Kind.CONSUME, -1, graphName, objects);
    }

    public TaskGraph consumeFromDevice(Object... objects) {
        return declare(Kind.CONSUME, -1, name, objects);
    }

    public ImmutableTaskGraph snapshot() {
        return new ImmutableTaskGraph(name, tasks, declarations);
    }

    private TaskGraph add(String id, Runnable task, Object... args) {
        tasks.add(new ImmutableTaskGraph.Task(id, args, task));
        return this;
    }

    public TaskGraph task(String id, TornadoFunctions.Task code) {
        return add(id, code::apply);
    }

    public <T1> TaskGraph task(String id, TornadoFunctions.Task1<T1> code, T1 arg1) {
        return add(id, () -> code.apply(arg1), arg1);
    }

    public <T1, T2> TaskGraph task(String id, TornadoFunctions.Task2<T1, T2> code, T1 arg1, T2 arg2) {
        return add(id, () -> code.apply(arg1, arg2), arg1, arg2);
    }

    public <T1, T2, T3> TaskGraph task(String id, TornadoFunctions.Task3<T1, T2, T3> code, T1 arg1, T2 arg2, T3 arg3) {
        return add(id, () -> code.apply(arg1, arg2, arg3), arg1, arg2, arg3);
    }

    public <T1, T2, T3, T4> TaskGraph task(String id, TornadoFunctions.Task4<T1, T2, T3, T4> code, T1 arg1, T2 arg2, T3 arg3, T4 arg4) {
        return add(id, () -> code.apply(arg1, arg2, arg3, arg4), arg1, arg2, arg3, arg4);
    }

    public <T1, T2, T3, T4, T5> TaskGraph task(String id, TornadoFunctions.Task5<T1, T2, T3, T4, T5> code, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5) {
        return add(id, () -> code.apply(arg1, arg2, arg3, arg4, arg5), arg1, arg2, arg3, arg4, arg5);
    }

    public <T1, T2, T3, T4, T5, T6> TaskGraph task(String id, TornadoFunctions.Task6<T1, T2, T3, T4, T5, T6> code, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, T6 arg6) {
        return add(id, () -> code.apply(arg1, arg2, arg3, arg4, arg5, arg6), arg1, arg2, arg3, arg4, arg5, arg6);
    }

    public <T1, T2, T3, T4, T5, T6, T7> TaskGraph task(String id, TornadoFunctions.Task7<T1, T2, T3, T4, T5, T6, T7> code, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, T6 arg6, T7 arg7) {
        return add(id, () -> code.apply(arg1, arg2, arg3, arg4, arg5, arg6, arg7), arg1, arg2, arg3, arg4, arg5, arg6, arg7);
    }

    public <T1, T2, T3, T4, T5, T6, T7, T8> TaskGraph task(String id, TornadoFunctions.Task8<T1, T2, T3, T4, T5, T6, T7, T8> code, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, T6 arg6, T7 arg7, T8 arg8) {
        return add(id, () -> code.apply(arg1, arg2, arg3, arg4, arg5, arg6, arg7, arg8), arg1, arg2, arg3, arg4, arg5, arg6, arg7, arg8);
    }

    public <T1, T2, T3, T4, T5, T6, T7, T8, T9> TaskGraph task(String id, TornadoFunctions.Task9<T1, T2, T3, T4, T5, T6, T7, T8, T9> code, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, T6 arg6, T7 arg7, T8 arg8, T9 arg9) {
        return add(id, () -> code.apply(arg1, arg2, arg3, arg4, arg5, arg6, arg7, arg8, arg9), arg1, arg2, arg3, arg4, arg5, arg6, arg7, arg8, arg9);
    }

    public <T1, T2, T3, T4, T5, T6, T7, T8, T9, T10> TaskGraph task(String id, TornadoFunctions.Task10<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10> code, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, T6 arg6, T7 arg7, T8 arg8, T9 arg9, T10 arg10) {
        return add(id, () -> code.apply(arg1, arg2, arg3, arg4, arg5, arg6, arg7, arg8, arg9, arg10), arg1, arg2, arg3, arg4, arg5, arg6, arg7, arg8, arg9, arg10);
    }

    public <T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11> TaskGraph task(String id, TornadoFunctions.Task11<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11> code, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, T6 arg6, T7 arg7, T8 arg8, T9 arg9, T10 arg10, T11 arg11) {
        return add(id, () -> code.apply(arg1, arg2, arg3, arg4, arg5, arg6, arg7, arg8, arg9, arg10, arg11), arg1, arg2, arg3, arg4, arg5, arg6, arg7, arg8, arg9, arg10, arg11);
    }

    public <T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12> TaskGraph task(String id, TornadoFunctions.Task12<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12> code, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, T6 arg6, T7 arg7, T8 arg8, T9 arg9, T10 arg10, T11 arg11, T12 arg12) {
        return add(id, () -> code.apply(arg1, arg2, arg3, arg4, arg5, arg6, arg7, arg8, arg9, arg10, arg11, arg12), arg1, arg2, arg3, arg4, arg5, arg6, arg7, arg8, arg9, arg10, arg11, arg12);
    }

    public <T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13> TaskGraph task(String id, TornadoFunctions.Task13<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13> code, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, T6 arg6, T7 arg7, T8 arg8, T9 arg9, T10 arg10, T11 arg11, T12 arg12, T13 arg13) {
        return add(id, () -> code.apply(arg1, arg2, arg3, arg4, arg5, arg6, arg7, arg8, arg9, arg10, arg11, arg12, arg13), arg1, arg2, arg3, arg4, arg5, arg6, arg7, arg8, arg9, arg10, arg11, arg12, arg13);
    }

    public <T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14> TaskGraph task(String id, TornadoFunctions.Task14<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14> code, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, T6 arg6, T7 arg7, T8 arg8, T9 arg9, T10 arg10, T11 arg11, T12 arg12, T13 arg13, T14 arg14) {
        return add(id, () -> code.apply(arg1, arg2, arg3, arg4, arg5, arg6, arg7, arg8, arg9, arg10, arg11, arg12, arg13, arg14), arg1, arg2, arg3, arg4, arg5, arg6, arg7, arg8, arg9, arg10, arg11, arg12, arg13, arg14);
    }

    public <T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15> TaskGraph task(String id, TornadoFunctions.Task15<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15> code, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, T6 arg6, T7 arg7, T8 arg8, T9 arg9, T10 arg10, T11 arg11, T12 arg12, T13 arg13, T14 arg14, T15 arg15) {
        return add(id, () -> code.apply(arg1, arg2, arg3, arg4, arg5, arg6, arg7, arg8, arg9, arg10, arg11, arg12, arg13, arg14, arg15), arg1, arg2, arg3, arg4, arg5, arg6, arg7, arg8, arg9, arg10, arg11, arg12, arg13, arg14, arg15);
    }
}
