package uk.ac.manchester.tornado.api.types.arrays;

import java.lang.foreign.MemorySegment;

import uk.ac.manchester.tornado.api.standin.NativeArrays;

/** Base of TornadoVM's off-heap arrays: a memory segment with a small header before the elements. */
public abstract class TornadoNativeArray {
    /** Bytes before the first element, as in TornadoVM. */
    public static final long ARRAY_HEADER = 24;

    static {
        // The stand-in's device memory runs a task with each array argument on its device copy.
        NativeArrays.install(TornadoNativeArray::swapSegment);
    }

    public abstract int getSize();

    public abstract MemorySegment getSegment();

    public abstract MemorySegment getSegmentWithHeader();

    public abstract long getNumBytesOfSegment();

    public abstract long getNumBytesOfSegmentWithHeader();

    public abstract int getElementSize();

    protected abstract void clear();

    /** Stand-in only: makes the array's elements those of {@code replacement} (same layout); returns the old segment. */
    abstract MemorySegment swapSegment(MemorySegment replacement);
}
