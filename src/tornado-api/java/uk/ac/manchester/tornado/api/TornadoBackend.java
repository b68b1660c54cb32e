package uk.ac.manchester.tornado.api;

import uk.ac.manchester.tornado.api.common.TornadoDevice;

/** A TornadoVM backend (OpenCL, PTX, SPIR-V) and its devices. */
public interface TornadoBackend {
    String getName();

    int getNumDevices();

    TornadoDevice getDevice(int index);

    TornadoDevice getDefaultDevice();
}
