package uk.ac.manchester.tornado.api.types.arrays;

import java.lang.foreign.MemorySegment;

/** Base of TornadoVM's off-heap arrays: a memory segment with a small header before the elements. */
public abstract class TornadoNativeArray {
    /** Bytes before the first element, as in TornadoVM. */
    public static final long ARRAY_HEADER = 24;

    public abstract int getSize();

    public abstract MemorySegment getSegment();

    public abstract MemorySegment getSegmentWithHeader();

    public abstract long getNumBytesOfSegment();

    public abstract long getNumBytesOfSegmentWithHeader();

    public abstract int getElementSize();

    protected abstract void clear();
}
