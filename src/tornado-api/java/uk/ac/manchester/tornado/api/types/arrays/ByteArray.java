package uk.ac.manchester.tornado.api.types.arrays;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Off-heap array of bytes; like TornadoVM's, a new array is not guaranteed to be zeroed: call {@link #init} or {@link #clear}. */
public final class ByteArray extends TornadoNativeArray {
    private static final int ELEMENT_BYTES = 1;
    private static final long BASE_INDEX = ARRAY_HEADER / ELEMENT_BYTES;

    private MemorySegment segment; // the device copy while the stand-in runs a task on it
    private final int numberOfElements;

    public ByteArray(int numberOfElements) {
        if (numberOfElements < 0) {
            throw new IllegalArgumentException("negative size: " + numberOfElements);
        }
        this.numberOfElements = numberOfElements;
        this.segment = Arena.ofAuto().allocate(ARRAY_HEADER + (long) numberOfElements * ELEMENT_BYTES, 64);
        segment.set(JAVA_INT, 0, numberOfElements);
    }

    public ByteArray(ByteArray... arrays) {
        this(totalSize(arrays));
        long offset = ARRAY_HEADER;
        for (ByteArray a : arrays) {
            MemorySegment.copy(a.segment, ARRAY_HEADER, segment, offset, a.getNumBytesOfSegment());
            offset += a.getNumBytesOfSegment();
        }
    }

    private static int totalSize(ByteArray... arrays) {
        int n = 0;
        for (ByteArray a : arrays) {
            n += a.numberOfElements;
        }
        return n;
    }

    public static ByteArray fromArray(byte[] values) {
        ByteArray array = new ByteArray(values.length);
        MemorySegment.copy(values, 0, array.segment, JAVA_BYTE, ARRAY_HEADER, values.length);
        return array;
    }

    public static ByteArray fromElements(byte... values) {
        return fromArray(values);
    }

    public static ByteArray fromSegment(MemorySegment segment) {
        ByteArray array = new ByteArray((int) (segment.byteSize() / ELEMENT_BYTES));
        MemorySegment.copy(segment, 0, array.segment, ARRAY_HEADER, segment.byteSize());
        return array;
    }

    public static void initialize(ByteArray array, byte value) {
        array.init(value);
    }

    public static ByteArray concat(ByteArray... arrays) {
        return new ByteArray(arrays);
    }

    public byte[] toHeapArray() {
        return getSegment().toArray(JAVA_BYTE);
    }

    public void set(int index, byte value) {
        segment.set(JAVA_BYTE, BASE_INDEX + index, value);
    }

    public byte get(int index) {
        return segment.get(JAVA_BYTE, BASE_INDEX + index);
    }

    @Override
    public void clear() {
        init((byte) 0);
    }

    @Override
    public int getElementSize() {
        return ELEMENT_BYTES;
    }

    public void init(byte value) {
        getSegment().fill(value);
    }

    @Override
    public int getSize() {
        return numberOfElements;
    }

    @Override
    public MemorySegment getSegment() {
        return segment.asSlice(ARRAY_HEADER);
    }

    @Override
    public MemorySegment getSegmentWithHeader() {
        return segment;
    }

    @Override
    public long getNumBytesOfSegmentWithHeader() {
        return segment.byteSize();
    }

    @Override
    public long getNumBytesOfSegment() {
        return (long) numberOfElements * ELEMENT_BYTES;
    }

    public ByteArray slice(int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > numberOfElements) {
            throw new IllegalArgumentException("Slice out of bounds");
        }
        ByteArray array = new ByteArray(length);
        MemorySegment.copy(segment, ARRAY_HEADER + offset, array.segment, ARRAY_HEADER, length);
        return array;
    }

    @Override
    MemorySegment swapSegment(MemorySegment replacement) {
        MemorySegment old = segment;
        segment = replacement;
        return old;
    }
}
