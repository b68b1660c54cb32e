package lenet.engine;

import java.util.ArrayList;
import java.util.List;

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

/**
 * The JVM engine's task sink: records each kernel call with its arguments once, then replays the list on
 * the calling thread as often as needed (parallel loops are plain loops on the JVM).
 */
public final class Recorder implements TaskSink {
    /** One recorded kernel call. */
    public record Call(String id, Runnable body) {
    }

    private final List<Call> calls = new ArrayList<>();
    private final Runnable join;

    /** A program that runs alone: {@link #join} has nothing to wait for. */
    public Recorder() {
        this(() -> {
        });
    }

    /** A program of one shard among several: {@link #join} runs {@code join} (the engine's barrier). */
    public Recorder(Runnable join) {
        this.join = join;
    }

    /** Runs every recorded call in order. */
    public void run() {
        for (Call c : calls) {
            c.body.run();
        }
    }

    @Override
    public void join(String id) {
        add(id + ".join", join);
    }

    private void add(String id, Runnable body) {
        calls.add(new Call(id, body));
    }

    @Override
    public <A> void task(String id, Task1<A> k, A a) {
        add(id, () -> k.apply(a));
    }

    @Override
    public <A, B> void task(String id, Task2<A, B> k, A a, B b) {
        add(id, () -> k.apply(a, b));
    }

    @Override
    public <A, B, C> void task(String id, Task3<A, B, C> k, A a, B b, C c) {
        add(id, () -> k.apply(a, b, c));
    }

    @Override
    public <A, B, C, D> void task(String id, Task4<A, B, C, D> k, A a, B b, C c, D d) {
        add(id, () -> k.apply(a, b, c, d));
    }

    @Override
    public <A, B, C, D, E> void task(String id, Task5<A, B, C, D, E> k, A a, B b, C c, D d, E e) {
        add(id, () -> k.apply(a, b, c, d, e));
    }

    @Override
    public <A, B, C, D, E, F> void task(String id, Task6<A, B, C, D, E, F> k, A a, B b, C c, D d, E e, F f) {
        add(id, () -> k.apply(a, b, c, d, e, f));
    }

    @Override
    public <A, B, C, D, E, F, G> void task(String id, Task7<A, B, C, D, E, F, G> k, A a, B b, C c, D d, E e, F f, G g) {
        add(id, () -> k.apply(a, b, c, d, e, f, g));
    }

    @Override
    public <A, B, C, D, E, F, G, H, I, J> void task(String id, Task10<A, B, C, D, E, F, G, H, I, J> k,
            A a, B b, C c, D d, E e, F f, G g, H h, I i, J j) {
        add(id, () -> k.apply(a, b, c, d, e, f, g, h, i, j));
    }

    @Override
    public <A, B, C, D, E, F, G, H, I, J, K> void task(String id, Task11<A, B, C, D, E, F, G, H, I, J, K> k,
            A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K kk) {
        add(id, () -> k.apply(a, b, c, d, e, f, g, h, i, j, kk));
    }

    @Override
    public <A, B, C, D, E, F, G, H> void task(String id, Task8<A, B, C, D, E, F, G, H> k, A a, B b, C c, D d, E e, F f, G g, H h) {
        add(id, () -> k.apply(a, b, c, d, e, f, g, h));
    }

    @Override
    public <A, B, C, D, E, F, G, H, I> void task(String id, Task9<A, B, C, D, E, F, G, H, I> k, A a, B b, C c, D d, E e, F f, G g, H h, I i) {
        add(id, () -> k.apply(a, b, c, d, e, f, g, h, i));
    }

    @Override
    public <A, B, C, D, E, F, G, H, I, J, K, L> void task(String id, Task12<A, B, C, D, E, F, G, H, I, J, K, L> k, A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K kk, L l) {
        add(id, () -> k.apply(a, b, c, d, e, f, g, h, i, j, kk, l));
    }

    @Override
    public <A, B, C, D, E, F, G, H, I, J, K, L, M> void task(String id, Task13<A, B, C, D, E, F, G, H, I, J, K, L, M> k, A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K kk, L l, M m) {
        add(id, () -> k.apply(a, b, c, d, e, f, g, h, i, j, kk, l, m));
    }

    @Override
    public <A, B, C, D, E, F, G, H, I, J, K, L, M, N> void task(String id, Task14<A, B, C, D, E, F, G, H, I, J, K, L, M, N> k, A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K kk, L l, M m, N nn) {
        add(id, () -> k.apply(a, b, c, d, e, f, g, h, i, j, kk, l, m, nn));
    }
}
