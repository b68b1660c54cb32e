package lenet.engine;

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
 * Where {@link LeNetGraph} puts the kernel calls of a step, in order: a TornadoVM {@code TaskGraph}
 * (the TornadoVM engine) or a list of plain calls replayed on a JVM thread (the JVM engine). The step is
 * written once; the engines differ only in their sink. Overloads exist for the argument counts the
 * kernels have.
 */
public interface TaskSink {
    <A> void task(String id, Task1<A> kernel, A a);

    <A, B> void task(String id, Task2<A, B> kernel, A a, B b);

    <A, B, C> void task(String id, Task3<A, B, C> kernel, A a, B b, C c);

    <A, B, C, D> void task(String id, Task4<A, B, C, D> kernel, A a, B b, C c, D d);

    <A, B, C, D, E> void task(String id, Task5<A, B, C, D, E> kernel, A a, B b, C c, D d, E e);

    <A, B, C, D, E, F> void task(String id, Task6<A, B, C, D, E, F> kernel, A a, B b, C c, D d, E e, F f);

    <A, B, C, D, E, F, G> void task(String id, Task7<A, B, C, D, E, F, G> kernel, A a, B b, C c, D d, E e, F f, G g);

    <A, B, C, D, E, F, G, H, I, J> void task(String id, Task10<A, B, C, D, E, F, G, H, I, J> kernel,
            A a, B b, C c, D d, E e, F f, G g, H h, I i, J j);

    <A, B, C, D, E, F, G, H, I, J, K> void task(String id, Task11<A, B, C, D, E, F, G, H, I, J, K> kernel,
            A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k);

    <A, B, C, D, E, F, G, H> void task(String id, Task8<A, B, C, D, E, F, G, H> kernel, A a, B b, C c, D d, E e, F f, G g, H h);

    <A, B, C, D, E, F, G, H, I> void task(String id, Task9<A, B, C, D, E, F, G, H, I> kernel, A a, B b, C c, D d, E e, F f, G g, H h, I i);

    <A, B, C, D, E, F, G, H, I, J, K, L> void task(String id, Task12<A, B, C, D, E, F, G, H, I, J, K, L> kernel, A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K kk, L l);

    <A, B, C, D, E, F, G, H, I, J, K, L, M> void task(String id, Task13<A, B, C, D, E, F, G, H, I, J, K, L, M> kernel, A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K kk, L l, M m);

    <A, B, C, D, E, F, G, H, I, J, K, L, M, N> void task(String id, Task14<A, B, C, D, E, F, G, H, I, J, K, L, M, N> kernel, A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K kk, L l, M m, N nn);

    /**
     * Every shard of the batch reaches this point before any goes on: what follows reads partial sums all
     * shards wrote (batch norm's statistics). Nothing to do where one program runs the whole batch.
     */
    default void join(String id) {
    }
}
