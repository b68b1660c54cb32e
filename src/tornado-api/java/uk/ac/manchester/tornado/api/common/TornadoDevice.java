package uk.ac.manchester.tornado.api.common;

import uk.ac.manchester.tornado.api.enums.TornadoDeviceType;

/** A device of a TornadoVM backend (the stand-in runtime has none). */
public interface TornadoDevice {
    String getDeviceName();

    String getDescription();

    String getPlatformName();

    TornadoDeviceType getDeviceType();

    long getMaxGlobalMemory();

    long getMaxAllocMemory();
}
